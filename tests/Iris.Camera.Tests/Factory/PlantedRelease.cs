using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Iris.Camera.Tests.Factory;

/// <summary>
/// A generated root file system with one plant of every kind the release gate once missed (issue 13, point 5),
/// and what the gate must say about each: written out here, not computed by the gate.
/// </summary>
internal static class PlantedRelease
{
    public static readonly string[] AllowedHosts = ["*.example.com", "github.com"];

    /// <summary>The findings for the tree, file by file, in the gate's order (ordinal by path).</summary>
    public static readonly string[] ExpectedFindings =
    [
        "etc/app/app.conf: credential in settings (password)",
        "etc/app/cloud.yaml: credential in settings (api_key)",
        "etc/app/endpoints.conf: undeclared endpoint HTTPS://COLLECT.EXAMPLE.NET",
        "etc/app/endpoints.conf: undeclared endpoint https://github.company",
        "etc/app/endpoints.conf: undeclared endpoint tcp://203.0.113.9",
        "etc/app/endpoints.conf: IP address 203.0.113.9",
        "etc/app/endpoints.conf: undeclared endpoint ssh://build.example.org",
        "etc/app/endpoints.conf: plaintext protocol telnet://console.example.com",
        "etc/app/endpoints.conf: plaintext protocol ftp://files.example.com",
        "etc/app/endpoints.conf: plaintext protocol rtsp://cam.example.com",
        "etc/app/endpoints.conf: plaintext protocol mqtt://broker.example.com",
        "etc/app/endpoints.conf: plaintext protocol coap://sensor.example.com",
        "etc/app/mirror.conf: URL with credentials https://…@updates.example.com",
        "etc/inetd.conf: plaintext protocol service (telnet in inetd)",
        "etc/keys/backup.pem.gz!backup.pem: contains a private key",
        "etc/keys/device.der: contains a private key",
        "etc/keys/identity.bin: contains a key store (PKCS#12 or Java)",
        "etc/keys/rsa.p8: contains a private key",
        "etc/ntp-server: IP address 198.51.100.7",
        "etc/shadow: password hash ($1$ crypt)",
        "etc/ssl/private/server.pem: contains a private key",
        "home/user/secring.asc: contains a private key",
        "opt/app/.env: credential in settings (DB_SECRET)",
        "opt/app/appsettings.json: credential in settings (Password)",
        "usr/bin/agent: IP address 203.0.113.50",
        "usr/bin/agent: undeclared endpoint https://telemetry.example.net",
        "usr/sbin/telnetd: plaintext protocol service (telnetd)",
    ];

    public static void Write(string root)
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=planted", ec, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddYears(100));
        var random = new Random(1005);
        var blob = new byte[4096];
        random.NextBytes(blob);
        var elf = "\x7F" + "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0";
        var files = new Dictionary<string, byte[]>
        {
            ["etc/shadow"] = Ascii("root:$1$Xy7qLm2p$2mVwN8rD4sQ1tZ0kLpYhe/:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n"),
            ["etc/app/app.conf"] = Ascii("# service settings\nuser = camera\npassword=hunter2\nport = 8443\n"),
            ["etc/app/cloud.yaml"] = Ascii("cloud:\n  region: eu\n  api_key: 9f8e7d6c5b4a\n  token: ${CLOUD_TOKEN}\n"),
            ["opt/app/.env"] = Ascii("MODE=production\nDB_SECRET=topsecret\nDB_PASSWORD=\n"),
            ["opt/app/appsettings.json"] = Ascii("{ \"ConnectionStrings\": { \"Db\": \"Server=db;User Id=sa;Password=Hunter2!;\" } }\n"),
            ["etc/app/mirror.conf"] = Ascii("source https://deploy:pa55word@updates.example.com/feed\n"),
            ["etc/app/endpoints.conf"] = Ascii(
                "collect HTTPS://COLLECT.EXAMPLE.NET/x\nlookalike https://github.company/x\nfine https://github.com/iris\nraw tcp://203.0.113.9:9000\n"
                + "build ssh://build.example.org\nconsole telnet://console.example.com\nfiles ftp://files.example.com/pub\n"
                + "video rtsp://cam.example.com/live\nbroker mqtt://broker.example.com\nsensor coap://sensor.example.com\n"),
            ["etc/inetd.conf"] = Ascii("telnet stream tcp nowait root /usr/sbin/telnetd telnetd\n"),
            ["etc/ntp-server"] = Ascii("server 198.51.100.7 iburst\n"),
            ["usr/bin/agent"] = [.. Encoding.Latin1.GetBytes(elf + "\0203.0.113.50\0\0"), .. Encoding.Unicode.GetBytes("https://telemetry.example.net/v1"), 0, 0],
            ["usr/sbin/telnetd"] = Encoding.Latin1.GetBytes(elf + "\0usage: telnetd\0"),
            ["etc/keys/device.der"] = ec.ExportECPrivateKey(),
            ["etc/keys/rsa.p8"] = rsa.ExportPkcs8PrivateKey(),
            ["etc/keys/identity.bin"] = certificate.Export(X509ContentType.Pkcs12, "planted"),
            ["etc/keys/backup.pem.gz"] = Gzip(Ascii(ec.ExportPkcs8PrivateKeyPem())),
            ["etc/ssl/private/server.pem"] = Ascii(rsa.ExportRSAPrivateKeyPem()),
            ["home/user/secring.asc"] = Ascii("-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBGV0ZXN0AQgAxyz\n-----END PGP PRIVATE KEY BLOCK-----\n"),
            ["opt/app/blob.bin"] = blob,
            ["opt/app/README.txt"] = Ascii("Camera application. Documentation: https://docs.example.com/camera (IoT-1005-1 5.4.1.1).\n"),
        };
        foreach (var (name, content) in files)
        {
            var path = Path.Combine(root, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, content);
        }
    }

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    private static byte[] Gzip(byte[] content)
    {
        using var memory = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(memory, System.IO.Compression.CompressionLevel.Optimal))
        {
            gzip.Write(content);
        }

        return memory.ToArray();
    }
}
