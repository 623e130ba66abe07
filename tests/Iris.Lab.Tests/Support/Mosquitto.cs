using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Iris.Lab.Tests.Support;

/// <summary>
/// A real mosquitto broker on loopback: either open (plain MQTT, anonymous: a misconfigured camera's broker), or
/// as an owner runs one for the Iris camera (the camera tests' set-up): TLS only, <c>require_certificate</c>, each
/// client named by its certificate's common name, a camera allowed only iris/&lt;its serial&gt;/#, the "platform"
/// client (the lab's certificate) reading everything.
/// </summary>
internal sealed class Mosquitto : IDisposable
{
    private readonly TargetProcess process;

    private Mosquitto(TargetProcess process) => this.process = process;

    public int Port => process.Port;

    public string Output => process.Output;

    public static async Task<Mosquitto> StartOpenAsync(TempDirectory dir) =>
        new(await TargetProcess.StartAsync("mosquitto", port => Configure(dir, port, "allow_anonymous true\n")));

    /// <summary>
    /// Writes the TLS broker's certificates into <paramref name="dir"/> before anything starts (a camera needs the
    /// CA file when it starts): ca.pem (trust the broker with it) and platform.pem (the lab's certificate and key).
    /// </summary>
    public static void WriteTlsCertificates(TempDirectory dir)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Lab Test Broker CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        var now = DateTimeOffset.UtcNow;
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
        Issue(dir, ca, caKey, "broker", server: true);
        Issue(dir, ca, caKey, "platform", server: false);
        File.WriteAllText(dir.File("ca.pem"), ca.ExportCertificatePem() + "\n");
    }

    /// <summary>Starts the TLS broker on <paramref name="port"/>, trusting <paramref name="camera"/>'s certificate as a client.</summary>
    public static async Task<Mosquitto> StartTlsAsync(TempDirectory dir, X509Certificate2 camera, int port)
    {
        File.WriteAllText(dir.File("clients.pem"), File.ReadAllText(dir.File("ca.pem")) + camera.ExportCertificatePem() + "\n");
        File.WriteAllText(dir.File("acl"), "pattern readwrite iris/%u/#\n\nuser platform\ntopic read iris/#\n");
        return new(await TargetProcess.StartAsync("mosquitto", port => Configure(dir, port, $"""
            allow_anonymous false
            acl_file {dir.File("acl")}
            cafile {dir.File("clients.pem")}
            certfile {dir.File("broker.pem")}
            keyfile {dir.File("broker.key")}
            require_certificate true
            use_identity_as_username true

            """), port: port));
    }

    public void Dispose() => process.Dispose();

    private static string[] Configure(TempDirectory dir, int port, string listenerSettings)
    {
        var conf = dir.File("mosquitto.conf");
        File.WriteAllText(conf, $"""
            user root
            per_listener_settings false
            log_dest stderr
            log_type all
            listener {port.ToString(CultureInfo.InvariantCulture)} 127.0.0.1
            {listenerSettings}
            """);
        return ["-c", conf];
    }

    private static void Issue(TempDirectory dir, X509Certificate2 ca, ECDsa caKey, string name, bool server)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (server)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(System.Net.IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
        }

        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        var now = DateTimeOffset.UtcNow;
        using var issued = request.Create(ca.SubjectName, X509SignatureGenerator.CreateForECDsa(caKey), now.AddDays(-1), now.AddDays(30), serial);
        if (server)
        {
            File.WriteAllText(dir.File($"{name}.pem"), issued.ExportCertificatePem());
            File.WriteAllText(dir.File($"{name}.key"), key.ExportPkcs8PrivateKeyPem());
        }
        else
        {
            File.WriteAllText(dir.File($"{name}.pem"), issued.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem());
        }
    }
}
