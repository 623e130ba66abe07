using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Iris.Camera.Link;
using Iris.Camera.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Iris.Camera.Tests.Link;

/// <summary>
/// The HTTPS webhook (5.8.1.1): every alert is posted with an HMAC-SHA-256 signature under a key the device made,
/// sealed and showed the administrator once; the receiver verifies it. The same client TLS policy applies: a
/// receiver whose certificate is not from the configured CA gets nothing.
/// </summary>
public sealed class WebhookTests
{
    [Fact]
    public async Task TestAlert_ArrivesSigned_AndTheReceiverVerifiesTheSignature()
    {
        await using var receiver = await Receiver.StartAsync(fromConfiguredCa: true);
        await using var camera = await InProcessCamera.StartAsync(configure: b => b.Configuration.AddInMemoryCollection(receiver.CameraSettings()));
        using var owner = await camera.ClaimAsync();
        using var keyResponse = await owner.Http.PostAsJsonAsync(new Uri("/api/link/webhook/key", UriKind.Relative), new { password = InProcessCamera.OwnerPassword });
        var key = FromBase64Url((await keyResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!);

        using var send = await owner.Http.PostAsync(new Uri("/api/link/test-alert", UriKind.Relative), null);
        Assert.True(send.IsSuccessStatusCode, await send.Content.ReadAsStringAsync());

        var (body, signature) = await receiver.NextAsync(TimeSpan.FromSeconds(20));
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(key, body));
        Assert.Equal(expected, signature);
        var alert = JsonDocument.Parse(body).RootElement;
        Assert.Equal(LinkService.TestAlertKind, alert.GetProperty("kind").GetString());
        Assert.StartsWith("DEV-", alert.GetProperty("serial").GetString(), StringComparison.Ordinal);

        // A body changed on the way no longer matches the signature the receiver checks.
        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body).Replace(LinkService.TestAlertKind, "all-clear", StringComparison.Ordinal));
        Assert.NotEqual(expected, "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(key, tampered)));
    }

    [Fact]
    public async Task ReceiverWithACertificateFromAnotherCa_GetsNothing_AndTheStatusSaysWhy()
    {
        await using var receiver = await Receiver.StartAsync(fromConfiguredCa: false);
        await using var camera = await InProcessCamera.StartAsync(configure: b => b.Configuration.AddInMemoryCollection(receiver.CameraSettings()));
        using var owner = await camera.ClaimAsync();
        using (await owner.Http.PostAsJsonAsync(new Uri("/api/link/webhook/key", UriKind.Relative), new { password = InProcessCamera.OwnerPassword }))
        using (var send = await owner.Http.PostAsync(new Uri("/api/link/test-alert", UriKind.Relative), null))
        {
            Assert.True(send.IsSuccessStatusCode);
        }

        await LinkBrokerTests.WaitForStateAsync(owner, "retrying", "webhook");

        using var status = await owner.Http.GetAsync(new Uri("/api/link", UriKind.Relative));
        var webhook = JsonDocument.Parse(await status.Content.ReadAsStringAsync()).RootElement.GetProperty("webhook");
        Assert.Contains("TLS", webhook.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, webhook.GetProperty("queued").GetInt32());
        Assert.Equal(0, receiver.Count);
    }

    private static byte[] FromBase64Url(string text) =>
        Convert.FromBase64String(text.Replace('-', '+').Replace('_', '/') + new string('=', (4 - (text.Length % 4)) % 4));

    /// <summary>A Kestrel HTTPS receiver that keeps each posted body with its signature header.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly TempDirectory _dir = new();
        private readonly BlockingCollection<(byte[] Body, string? Signature)> _received = [];
        private WebApplication? _app;

        public int Count => _received.Count;

        public Uri Address { get; private set; } = null!;

        public static async Task<Receiver> StartAsync(bool fromConfiguredCa)
        {
            var receiver = new Receiver();
            var (ca, caKey) = TestCertificates.CreateCa("Iris Test Webhook CA");
            var (other, otherKey) = TestCertificates.CreateCa("Some Other CA");
            using (ca)
            using (caKey)
            using (other)
            using (otherKey)
            {
                await File.WriteAllTextAsync(receiver._dir.Combine("ca.pem"), ca.ExportCertificatePem());
                using var leaf = fromConfiguredCa ? TestCertificates.IssueServer(ca, caKey, "127.0.0.1") : TestCertificates.IssueServer(other, otherKey, "127.0.0.1");
                var certificate = X509CertificateLoader.LoadPkcs12(leaf.Export(X509ContentType.Pkcs12), null);
                var builder = WebApplication.CreateSlimBuilder();
                builder.Logging.ClearProviders();
                builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(TestCertificates.ServeWith(certificate))));
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
            }

            return receiver;
        }

        public Dictionary<string, string?> CameraSettings() => new()
        {
            ["Iris:Cloud:WebhookUrl"] = Address.ToString(),
            ["Iris:Cloud:CaCertificateFile"] = _dir.Combine("ca.pem"),
            ["Iris:Cloud:MinimumRetryDelay"] = "00:00:00.200",
            ["Iris:Cloud:MaximumRetryDelay"] = "00:00:02",
        };

        public async Task<(byte[] Body, string? Signature)> NextAsync(TimeSpan timeout) =>
            await Task.Run(() => _received.TryTake(out var item, timeout) ? item : throw new TimeoutException("no webhook request arrived"));

        public async ValueTask DisposeAsync()
        {
            if (_app is not null)
            {
                await _app.StopAsync();
                await _app.DisposeAsync();
            }

            _received.Dispose();
            _dir.Dispose();
        }
    }
}
