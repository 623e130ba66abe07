using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Iris.Camera.Tests.Support;
using Iris.Relay;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Iris.Camera.Tests.Relay;

/// <summary>
/// Iris.Relay in the test process on a free loopback port, with a server certificate from <paramref name="ca"/>
/// and the given device trust anchors, and a client pinned to its certificate for viewers.
/// </summary>
internal sealed class RunningRelay : IAsyncDisposable
{
    private readonly TempDirectory _dir;
    private readonly List<HttpMessageInvoker> _invokers = [];

    private RunningRelay(WebApplication app, TempDirectory dir, X509Certificate2 certificate)
    {
        App = app;
        _dir = dir;
        Certificate = certificate;
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        Port = address.Port;
    }

    public WebApplication App { get; }

    public X509Certificate2 Certificate { get; }

    public int Port { get; }

    public string Wss => $"wss://127.0.0.1:{Port}";

    public Uri Page => new($"https://127.0.0.1:{Port}/");

    public static async Task<RunningRelay> StartAsync(X509Certificate2 ca, ECDsa caKey, IEnumerable<X509Certificate2> deviceAnchors)
    {
        var dir = new TempDirectory();
        var leaf = TestCertificates.IssueServer(ca, caKey, "127.0.0.1");
        File.WriteAllText(dir.Combine("relay.pem"), leaf.ExportCertificatePem());
        File.WriteAllText(dir.Combine("relay.key"), leaf.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(dir.Combine("devices.pem"), string.Concat(deviceAnchors.Select(c => c.ExportCertificatePem() + "\n")));
        var app = RelayApp.Build([], builder =>
        {
            builder.Logging.ClearProviders();
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Iris:Relay:Listen"] = "127.0.0.1:0",
                ["Iris:Relay:CertificateFile"] = dir.Combine("relay.pem"),
                ["Iris:Relay:KeyFile"] = dir.Combine("relay.key"),
                ["Iris:Relay:DeviceCaFile"] = dir.Combine("devices.pem"),
            });
        });
        await app.StartAsync();
        return new RunningRelay(app, dir, leaf);
    }

    /// <summary>
    /// Opens a WebSocket to the relay, pinned to its certificate, presenting <paramref name="clientCertificate"/>
    /// (a camera) or none (a viewer). The socket records the HTTP status when refused (0: no HTTP answer at all).
    /// </summary>
    public async Task<ClientWebSocket> ConnectAsync(Uri uri, X509Certificate2? clientCertificate = null)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && presented.GetCertHashString() == Certificate.GetCertHashString();
        if (clientCertificate is not null)
        {
            handler.SslOptions.ClientCertificateContext = System.Net.Security.SslStreamCertificateContext.Create(clientCertificate, null, offline: true);
        }

        // Kept until the relay is disposed: the upgraded connection came from this handler.
        var invoker = new HttpMessageInvoker(handler);
        _invokers.Add(invoker);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await socket.ConnectAsync(uri, invoker, timeout.Token);
        }
        catch (WebSocketException)
        {
            // Refused: the caller reads socket.HttpStatusCode and State.
        }

        return socket;
    }

    /// <summary>Every message until the other side closes (or <paramref name="limit"/> messages, or the timeout).</summary>
    public static async Task<(List<byte[]> Messages, WebSocketCloseStatus? Closed, string? Reason)> ReadAsync(ClientWebSocket socket, int limit, TimeSpan timeout)
    {
        var messages = new List<byte[]>();
        using var cancel = new CancellationTokenSource(timeout);
        var buffer = new byte[8 * 1024 * 1024];
        try
        {
            while (messages.Count < limit)
            {
                var length = 0;
                WebSocketReceiveResult received;
                do
                {
                    received = await socket.ReceiveAsync(new ArraySegment<byte>(buffer, length, buffer.Length - length), cancel.Token);
                    length += received.Count;
                }
                while (!received.EndOfMessage);

                if (received.MessageType == WebSocketMessageType.Close)
                {
                    return (messages, received.CloseStatus, received.CloseStatusDescription);
                }

                messages.Add(buffer.AsSpan(0, length).ToArray());
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            return (messages, null, ex.GetType().Name);
        }

        return (messages, null, null);
    }

    public Uri ViewerUri(string sessionId, string? token) =>
        new($"{Wss}/relay/v1/view/{sessionId}" + (token is null ? "" : "?token=" + Uri.EscapeDataString(token)));

    public Uri CameraUri(string sessionId) => new($"{Wss}/relay/v1/camera/{sessionId}");

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        _invokers.ForEach(i => i.Dispose());
        Certificate.Dispose();
        _dir.Dispose();
    }
}

/// <summary>
/// The viewer's side of the remote-view crypto, written from docs/platform-protocol.md ("Relay"), not from the
/// camera's code: an ephemeral P-256 key, the HKDF-SHA-256 session key, and opening sealed messages.
/// </summary>
internal sealed class RemoteViewer : IDisposable
{
    public ECDiffieHellman Key { get; } = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);

    public string PublicKey => OwnerApp.Encode(Key.ExportSubjectPublicKeyInfo());

    public string PrivateKey => OwnerApp.Encode(Key.ExportPkcs8PrivateKey());

    public static string NewSessionId() => OwnerApp.Encode(RandomNumberGenerator.GetBytes(18));

    public byte[] SessionKey(string cameraKey, string sessionId, string serial)
    {
        using var camera = ECDiffieHellman.Create();
        camera.ImportSubjectPublicKeyInfo(OwnerApp.Decode(cameraKey), out _);
        var shared = Key.DeriveRawSecretAgreement(camera.PublicKey);
        return HKDF.DeriveKey(HashAlgorithmName.SHA256, shared, 32, [], Encoding.UTF8.GetBytes($"iris remote view v1\0{sessionId}\0{serial}\0camera-to-viewer"));
    }

    /// <summary>The counter and plaintext (kind byte + body) of one sealed message; throws when the key or the bytes are wrong.</summary>
    public static (ulong Counter, byte[] Plain) Open(byte[] key, byte[] message, string sessionId)
    {
        var nonce = new byte[12];
        nonce[3] = 1;
        message.AsSpan(0, 8).CopyTo(nonce.AsSpan(4));
        var plain = new byte[message.Length - 8 - 16];
        using var aes = new AesGcm(key, 16);
        aes.Decrypt(nonce, message.AsSpan(8, plain.Length), message.AsSpan(message.Length - 16), plain, Encoding.UTF8.GetBytes(sessionId));
        return (BinaryPrimitives.ReadUInt64BigEndian(message), plain);
    }

    public void Dispose() => Key.Dispose();
}
