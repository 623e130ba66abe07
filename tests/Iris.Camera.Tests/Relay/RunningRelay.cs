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
/// Iris.Relay on a free loopback port, with a server certificate from <paramref name="ca"/> and the given device
/// trust anchors, and a client pinned to its certificate for viewers: in the test process, or (for the benchmark's
/// CPU figures) as its own <c>iris-relay</c> process.
/// </summary>
internal sealed class RunningRelay : IAsyncDisposable
{
    private readonly TempDirectory _dir;
    private readonly List<HttpMessageInvoker> _invokers = [];
    private readonly WebApplication? _app;

    private RunningRelay(WebApplication? app, ChildProcess? process, int port, TempDirectory dir, X509Certificate2 certificate)
    {
        _app = app;
        Process = process;
        _dir = dir;
        Certificate = certificate;
        Port = port;
    }

    public WebApplication App => _app ?? throw new InvalidOperationException("This relay runs in its own process.");

    /// <summary>The relay's own process, when it runs in one.</summary>
    public ChildProcess? Process { get; }

    public X509Certificate2 Certificate { get; }

    public int Port { get; }

    public string Wss => $"wss://127.0.0.1:{Port}";

    public Uri Page => new($"https://127.0.0.1:{Port}/");

    public static async Task<RunningRelay> StartAsync(X509Certificate2 ca, ECDsa caKey, IEnumerable<X509Certificate2> deviceAnchors)
    {
        var (dir, leaf, settings) = Prepare(ca, caKey, deviceAnchors, "127.0.0.1:0");
        var app = RelayApp.Build([], builder =>
        {
            builder.Logging.ClearProviders();
            builder.Configuration.AddInMemoryCollection(settings);
        });
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        return new RunningRelay(app, null, address.Port, dir, leaf);
    }

    /// <summary>The same relay as <c>dotnet iris-relay.dll</c>, settings in its environment, ready once it accepts connections.</summary>
    public static async Task<RunningRelay> StartProcessAsync(X509Certificate2 ca, ECDsa caKey, IEnumerable<X509Certificate2> deviceAnchors)
    {
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            // A free port for the child to take; nothing else on this loopback takes ports in between.
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }

        var (dir, leaf, settings) = Prepare(ca, caKey, deviceAnchors, $"127.0.0.1:{port}");
        var process = ChildProcess.Start("iris-relay", [], settings.ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!));
        using var ready = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            try
            {
                using var client = new System.Net.Sockets.TcpClient();
                await client.ConnectAsync(System.Net.IPAddress.Loopback, port, ready.Token);
                return new RunningRelay(null, process, port, dir, leaf);
            }
            catch (System.Net.Sockets.SocketException) when (!process.HasExited)
            {
                await Task.Delay(100, ready.Token);
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException)
            {
                var why = $"iris-relay did not start: {process.StandardError}";
                process.Dispose();
                dir.Dispose();
                leaf.Dispose();
                throw new InvalidOperationException(why, e);
            }
        }
    }

    /// <summary>CPU time the relay's own process has used (user + system, from /proc/PID/stat).</summary>
    public TimeSpan ProcessCpuTime()
    {
        var stat = File.ReadAllText($"/proc/{Process!.Id}/stat");
        // The command name may hold spaces; fields after it start at field 3 (state), so utime (14) and stime (15) are 11 and 12.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
        // USER_HZ: 100 on every Linux architecture the camera and relay target.
        return TimeSpan.FromSeconds(ticks / 100.0);
    }

    private static (TempDirectory Dir, X509Certificate2 Leaf, Dictionary<string, string?> Settings) Prepare(X509Certificate2 ca, ECDsa caKey, IEnumerable<X509Certificate2> deviceAnchors, string listen)
    {
        var dir = new TempDirectory();
        var leaf = TestCertificates.IssueServer(ca, caKey, "127.0.0.1");
        File.WriteAllText(dir.Combine("relay.pem"), leaf.ExportCertificatePem());
        File.WriteAllText(dir.Combine("relay.key"), leaf.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(dir.Combine("devices.pem"), string.Concat(deviceAnchors.Select(c => c.ExportCertificatePem() + "\n")));
        return (dir, leaf, new Dictionary<string, string?>
        {
            ["Iris:Relay:Listen"] = listen,
            ["Iris:Relay:CertificateFile"] = dir.Combine("relay.pem"),
            ["Iris:Relay:KeyFile"] = dir.Combine("relay.key"),
            ["Iris:Relay:DeviceCaFile"] = dir.Combine("devices.pem"),
        });
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
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        Process?.Dispose();
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
