using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Iris.Camera.Link;
using Iris.Camera.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace Iris.Camera.Tests.Link;

/// <summary>
/// A Kestrel HTTPS webhook receiver for the link tests that keeps each posted body with its signature header. Its
/// certificate comes from the CA the camera is told to trust, or from another CA (a receiver the camera must
/// refuse); with <c>clientsFrom</c> it requires a client certificate chaining to that root alone.
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly BlockingCollection<(byte[] Body, string? Signature)> _received = [];
    private readonly X509Certificate2 _ca;
    private readonly ECDsa _caKey;
    private WebApplication? _app;

    private WebhookReceiver() => (_ca, _caKey) = TestCertificates.CreateCa("Iris Test Webhook CA");

    public int Count => _received.Count;

    public Uri Address { get; private set; } = null!;

    public static async Task<WebhookReceiver> StartAsync(bool fromConfiguredCa = true, X509Certificate2? clientsFrom = null)
    {
        var receiver = new WebhookReceiver();
        await File.WriteAllTextAsync(receiver._dir.Combine("ca.pem"), receiver._ca.ExportCertificatePem());
        var (other, otherKey) = TestCertificates.CreateCa("Some Other CA");
        X509Certificate2 certificate;
        using (other)
        using (otherKey)
        using (var leaf = fromConfiguredCa ? TestCertificates.IssueServer(receiver._ca, receiver._caKey, "127.0.0.1") : TestCertificates.IssueServer(other, otherKey, "127.0.0.1"))
        {
            certificate = X509CertificateLoader.LoadPkcs12(leaf.Export(X509ContentType.Pkcs12), null);
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(clientsFrom is null ? TestCertificates.ServeWith(certificate) : RequireClientsFrom(certificate, clientsFrom))));
        receiver._app = builder.Build();
        receiver._app.MapPost("/hook", async (HttpContext context) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            receiver._received.Add((buffer.ToArray(), context.Request.Headers[WebhookSender.SignatureHeader].ToString()));
            return Results.NoContent();
        });
        await receiver._app.StartAsync();
        receiver.Address = new Uri(new Uri(receiver._app.Urls.First()), "/hook");
        return receiver;
    }

    /// <summary>Settings that point a camera at this receiver, or at <paramref name="port"/> on loopback (a proxy in front of it).</summary>
    public Dictionary<string, string?> CameraSettings(int? port = null) => new()
    {
        ["Iris:Cloud:WebhookUrl"] = (port is { } p ? new UriBuilder(Address) { Port = p }.Uri : Address).ToString(),
        ["Iris:Cloud:CaCertificateFile"] = _dir.Combine("ca.pem"),
        ["Iris:Cloud:MinimumRetryDelay"] = "00:00:00.200",
        ["Iris:Cloud:MaximumRetryDelay"] = "00:00:02",
    };

    public async Task<(byte[] Body, string? Signature)> NextAsync(TimeSpan timeout) =>
        await Task.Run(() => _received.TryTake(out var item, timeout) ? item : throw new TimeoutException("no webhook request arrived"));

    /// <summary>One POST from a plain client presenting <paramref name="client"/>: true when the receiver answered.</summary>
    public async Task<bool> AcceptsAsync(SslStreamCertificateContext client)
    {
        using var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            SslOptions = new SslClientAuthenticationOptions { ClientCertificateContext = client, CertificateChainPolicy = TrustOnly(_ca) },
        };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(15) };
        try
        {
            using var response = await http.PostAsync(Address, new StringContent("{}"));
            return response.StatusCode == HttpStatusCode.NoContent;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    public static X509ChainPolicy TrustOnly(X509Certificate2 anchor)
    {
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(anchor);
        return policy;
    }

    private static TlsHandshakeCallbackOptions RequireClientsFrom(X509Certificate2 certificate, X509Certificate2 root)
    {
        var clients = TrustOnly(root);
        return new TlsHandshakeCallbackOptions
        {
            OnConnection = _ => ValueTask.FromResult(new SslServerAuthenticationOptions
            {
                ServerCertificate = certificate,
                ClientCertificateRequired = true,
                // Only the root is trusted; intermediates come from what the client sends, nothing else.
                CertificateChainPolicy = clients.Clone(),
                RemoteCertificateValidationCallback = (_, presented, _, errors) => presented is not null && errors == SslPolicyErrors.None,
            }),
        };
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        _received.Dispose();
        _ca.Dispose();
        _caKey.Dispose();
        _dir.Dispose();
    }
}
