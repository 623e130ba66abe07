using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Iris.Camera.Identity;
using Iris.Camera.Link;
using Iris.Camera.Tests.Support;
using MQTTnet;

namespace Iris.Camera.Tests.Link;

/// <summary>
/// The MQTT link uses the daemon's client TLS policy (5.3.1.2, 5.4.2.1): it refuses a broker whose certificate
/// comes from another CA, a server that offers only TLS 1.1 and one that offers only RSA key exchange (real
/// openssl s_server, checked to really speak what it offers), and reaches a broker with the configured CA.
/// </summary>
public sealed class LinkTlsTests
{
    [Fact]
    public async Task BrokerWithACertificateFromAnotherCa_IsRefused()
    {
        using var device = DeviceFixture.Create();
        await using var broker = await MosquittoBroker.StartNewAsync(device.Identity.Certificate);
        using var dir = new TempDirectory();
        var (otherCa, otherKey) = TestCertificates.CreateCa("Some Public CA");
        using (otherCa)
        using (otherKey)
        {
            await File.WriteAllTextAsync(dir.Combine("other-ca.pem"), otherCa.ExportCertificatePem());

            var failure = await ConnectAsync(device, broker.Port, dir.Combine("other-ca.pem"));

            Assert.StartsWith("TLS handshake refused", failure, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task BrokerWithTheConfiguredCa_IsReached_WithTheDeviceCertificate()
    {
        using var device = DeviceFixture.Create();
        await using var broker = await MosquittoBroker.StartNewAsync(device.Identity.Certificate);

        var failure = await ConnectAsync(device, broker.Port, broker.CaFile);

        Assert.Null(failure);
        Assert.Contains($"as {device.Identity.Serial}", broker.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerOfferingOnlyTls11_IsRefused()
    {
        await using var server = await OpenSslServer.StartAsync(rsa: false, "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0");
        var control = await OpenSslClient.ConnectAsync(server.Port, "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0");
        Assert.True(control.Established, "the server must really speak TLS 1.1 for this test to mean anything:\n" + control.Output);
        using var device = DeviceFixture.Create();

        var failure = await ConnectAsync(device, server.Port, server.CaFile);

        Assert.StartsWith("TLS handshake refused", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerOfferingOnlyRsaKeyExchange_IsRefused()
    {
        await using var server = await OpenSslServer.StartAsync(rsa: true, "-tls1_2", "-cipher", "AES128-GCM-SHA256:AES256-GCM-SHA384");
        var control = await OpenSslClient.ConnectAsync(server.Port, "-tls1_2", "-cipher", "AES128-GCM-SHA256");
        Assert.True(control.Established, "the server must really offer RSA key exchange:\n" + control.Output);
        using var device = DeviceFixture.Create();

        var failure = await ConnectAsync(device, server.Port, server.CaFile);

        Assert.StartsWith("TLS handshake refused", failure, StringComparison.Ordinal);
    }

    /// <summary>One connection attempt as the link makes it; null when connected, else the reason the status page shows.</summary>
    private static async Task<string?> ConnectAsync(DeviceFixture device, int port, string caFile)
    {
        var options = new CloudOptions
        {
            BrokerHost = "127.0.0.1",
            BrokerPort = port,
            CaCertificateFile = caFile,
            OperationTimeout = TimeSpan.FromSeconds(10),
        };
        var connection = new MqttConnection(options, device.Identity, TimeProvider.System);
        using var client = new MqttClientFactory().CreateMqttClient();
        try
        {
            await client.ConnectAsync(connection.ClientOptions());
            await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build());
            return null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return MqttConnection.Describe(ex);
        }
    }

    /// <summary>A device identity as a development camera makes it: self-signed ECDSA P-256 naming the serial.</summary>
    private sealed class DeviceFixture : IDisposable
    {
        private DeviceFixture(DeviceIdentity identity) => Identity = identity;

        public DeviceIdentity Identity { get; }

        public static DeviceFixture Create()
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var serial = "DEV-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(5));
            using var certificate = DeviceCertificate.CreateSelfSigned(key, serial, "Iris Test", DateTimeOffset.UtcNow);
            return new DeviceFixture(new DeviceIdentity(serial, "Iris Camera DEV", IdentityOrigin.Development, certificate.CopyWithPrivateKey(key)));
        }

        public void Dispose() => Identity.Dispose();
    }

    /// <summary>openssl s_server speaking only what it is told, with a certificate from a fresh test CA.</summary>
    private sealed class OpenSslServer : IAsyncDisposable
    {
        private readonly TempDirectory _dir = new();
        private ChildProcess? _process;

        public int Port { get; private set; }

        public string CaFile => _dir.Combine("ca.pem");

        public static async Task<OpenSslServer> StartAsync(bool rsa, params string[] options)
        {
            var server = new OpenSslServer();
            var (ca, caKey) = TestCertificates.CreateCa("Iris Test Broker CA");
            using (ca)
            using (caKey)
            using (var leaf = TestCertificates.IssueServer(ca, caKey, "127.0.0.1", rsa))
            {
                await File.WriteAllTextAsync(server.CaFile, ca.ExportCertificatePem());
                await File.WriteAllTextAsync(server._dir.Combine("cert.pem"), leaf.ExportCertificatePem());
                AsymmetricAlgorithm key = rsa ? leaf.GetRSAPrivateKey()! : leaf.GetECDsaPrivateKey()!;
                await File.WriteAllTextAsync(server._dir.Combine("key.pem"), key.ExportPkcs8PrivateKeyPem());
            }

            server._process = ChildProcess.StartExecutable("/bin/sh",
                ["-c", $"cd '{server._dir.Path}' && exec openssl s_server -accept 127.0.0.1:0 -cert cert.pem -key key.pem {string.Join(' ', options.Select(o => $"'{o}'"))}"]);
            var accept = await server._process.WaitForLineAsync(l => l.StartsWith("ACCEPT ", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
            server.Port = int.Parse(accept[(accept.LastIndexOf(':') + 1)..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            return server;
        }

        public ValueTask DisposeAsync()
        {
            _process?.Dispose();
            _dir.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
