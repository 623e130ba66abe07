using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Iris.Camera.Tests.Support;

/// <summary>
/// A real mosquitto broker on loopback, as an owner would run one: TLS only, <c>require_certificate</c> (each client
/// is named by its certificate's common name, so a camera is its serial), a per-device ACL (a camera may use only
/// iris/&lt;its serial&gt;/#; the "platform" client reads everything), persistence so queued messages survive a
/// broker restart. Certificates come from a fresh test CA; extra trust anchors (a camera's self-signed development
/// certificate) are added to the broker's CA file.
/// </summary>
public sealed class MosquittoBroker : IAsyncDisposable
{
    public const string PlatformUser = "platform";

    /// <summary>Plays Home Assistant: may publish only on the cameras' Home Assistant command topics.</summary>
    public const string HomeAssistantUser = "homeassistant";

    private readonly TempDirectory _dir = new();
    private ChildProcess? _process;

    private MosquittoBroker(X509Certificate2 ca, ECDsa caKey, int port)
    {
        Ca = ca;
        CaKey = caKey;
        Port = port;
    }

    public X509Certificate2 Ca { get; }

    public ECDsa CaKey { get; }

    public int Port { get; }

    public string CaFile => _dir.Combine("ca.pem");

    public bool Running => _process is { HasExited: false };

    public string Log => (_process?.StandardOutput ?? "") + (_process?.StandardError ?? "");

    /// <summary>Writes the configuration; <see cref="StartAsync"/> runs it. Trusted client anchors besides the CA are given here.</summary>
    public static MosquittoBroker Create(params X509Certificate2[] trustedClients)
    {
        var (ca, caKey) = TestCertificates.CreateCa("Iris Test Broker CA");
        var broker = new MosquittoBroker(ca, caKey, FreePort());
        using (var leaf = TestCertificates.IssueServer(ca, caKey, "127.0.0.1"))
        {
            File.WriteAllText(broker._dir.Combine("broker.pem"), leaf.ExportCertificatePem());
            File.WriteAllText(broker._dir.Combine("broker.key"), leaf.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        }

        File.WriteAllText(broker.CaFile, string.Concat(new[] { ca }.Concat(trustedClients).Select(c => c.ExportCertificatePem() + "\n")));
        File.WriteAllText(broker._dir.Combine("acl"), $"""
            pattern readwrite iris/%u/#
            pattern write homeassistant/+/%u/#

            user {PlatformUser}
            topic read iris/#
            topic read homeassistant/#
            topic write iris/+/commands
            topic write iris/+/pair

            user {HomeAssistantUser}
            topic read iris/#
            topic write iris/+/ha/+/set

            """);
        Directory.CreateDirectory(broker._dir.Combine("data"));
        File.WriteAllText(broker._dir.Combine("mosquitto.conf"), $"""
            user root
            per_listener_settings false
            allow_anonymous false
            persistence true
            persistence_location {broker._dir.Combine("data")}/
            autosave_interval 1
            log_dest stderr
            log_type error
            log_type warning
            log_type notice
            log_type information
            connection_messages true
            acl_file {broker._dir.Combine("acl")}
            listener {broker.Port} 127.0.0.1
            cafile {broker.CaFile}
            certfile {broker._dir.Combine("broker.pem")}
            keyfile {broker._dir.Combine("broker.key")}
            require_certificate true
            use_identity_as_username true

            """);
        return broker;
    }

    /// <summary>Adds a client trust anchor (a camera's self-signed development certificate); takes effect at the next start.</summary>
    public void TrustClient(X509Certificate2 certificate) => File.AppendAllText(CaFile, certificate.ExportCertificatePem() + "\n");

    /// <summary>
    /// Makes <paramref name="root"/> the broker's only client trust anchor (its own CA no longer issues clients), as a
    /// platform that accepts any camera of a vendor would; takes effect at the next start. The camera still checks
    /// the broker against <see cref="CaFile"/>.
    /// </summary>
    public void TrustOnlyClientsFrom(X509Certificate2 root)
    {
        var clients = _dir.Combine("clients-ca.pem");
        File.WriteAllText(clients, root.ExportCertificatePem() + "\n");
        var configuration = _dir.Combine("mosquitto.conf");
        File.WriteAllText(configuration, File.ReadAllText(configuration).Replace($"cafile {CaFile}", $"cafile {clients}", StringComparison.Ordinal));
    }

    public static async Task<MosquittoBroker> StartNewAsync(params X509Certificate2[] trustedClients)
    {
        var broker = Create(trustedClients);
        await broker.StartAsync();
        return broker;
    }

    public async Task StartAsync()
    {
        _process?.Dispose();
        _process = ChildProcess.StartExecutable("mosquitto", ["-c", _dir.Combine("mosquitto.conf")]);
        await _process.WaitForLineAsync(l => l.Contains(" running", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
    }

    /// <summary>Stops the broker as systemd would (SIGTERM): it saves its persistent state and exits.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Terminate();
            await process.WaitForExitAsync(TimeSpan.FromSeconds(20));
        }
    }

    /// <summary>Replaces the broker's certificate (before <see cref="StartAsync"/>) with one naming <paramref name="hostName"/> as well as 127.0.0.1.</summary>
    public void NameServer(string hostName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + hostName, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(hostName);
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(TestCertificates.ServerAuthentication)], false));
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        using var leaf = request.Create(Ca.SubjectName, X509SignatureGenerator.CreateForECDsa(CaKey), DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), serial);
        File.WriteAllText(_dir.Combine("broker.pem"), leaf.ExportCertificatePem());
        File.WriteAllText(_dir.Combine("broker.key"), key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>A client certificate issued by the broker's CA, with common name <paramref name="name"/>.</summary>
    public X509Certificate2 IssueClient(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(TestCertificates.ClientAuthentication)], false));
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        using var issued = request.Create(Ca.SubjectName, X509SignatureGenerator.CreateForECDsa(CaKey), DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), serial);
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>The camera's settings for this broker (short back-off and keep-alive, so tests run in seconds).</summary>
    public Dictionary<string, string?> CameraSettings(int? port = null) => new()
    {
        ["Iris:Cloud:BrokerHost"] = "127.0.0.1",
        ["Iris:Cloud:BrokerPort"] = (port ?? Port).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Iris:Cloud:CaCertificateFile"] = CaFile,
        ["Iris:Cloud:MinimumRetryDelay"] = "00:00:00.200",
        ["Iris:Cloud:MaximumRetryDelay"] = "00:00:02",
        ["Iris:Cloud:KeepAlive"] = "00:00:02",
        ["Iris:Cloud:OperationTimeout"] = "00:00:03",
    };

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process?.Dispose();
        Ca.Dispose();
        CaKey.Dispose();
        _dir.Dispose();
    }
}
