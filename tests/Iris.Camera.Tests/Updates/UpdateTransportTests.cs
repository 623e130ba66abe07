using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Iris.Camera.Tests.Support;
using Iris.Camera.Updates;
using Iris.Firmware.Metadata;

namespace Iris.Camera.Tests.Updates;

/// <summary>
/// IoT-1005-1 5.3.1.2: the update client talks only TLS 1.2/1.3 with ECDHE and AES-GCM, to a server whose
/// certificate comes from the update CA. Real servers (openssl s_server) offering anything else are refused
/// at the handshake; a control server on the same certificate with an allowed suite is reached.
/// </summary>
public sealed class UpdateTransportTests
{
    [Fact]
    public async Task ServerOfferingOnlyTls11_IsRefused()
    {
        await using var server = await OpenSslServer.StartAsync(rsa: false, "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0");
        var control = await OpenSslClient.ConnectAsync(server.Port, "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0");
        Assert.True(control.Established, "the server must really speak TLS 1.1 for this test to mean anything:\n" + control.Output);

        var outcome = await server.FetchAsync();

        Assert.Equal(UpdateCode.TransportRefused, outcome.Code);
    }

    [Fact]
    public async Task ServerOfferingOnlyRsaKeyExchange_IsRefused()
    {
        await using var server = await OpenSslServer.StartAsync(rsa: true, "-tls1_2", "-cipher", "AES128-GCM-SHA256:AES256-GCM-SHA384");
        var control = await OpenSslClient.ConnectAsync(server.Port, "-tls1_2", "-cipher", "AES128-GCM-SHA256");
        Assert.True(control.Established, "the server must really offer RSA key exchange:\n" + control.Output);

        var outcome = await server.FetchAsync();

        Assert.Equal(UpdateCode.TransportRefused, outcome.Code);
        Assert.Contains("TLS", outcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerWithEcdheAesGcm_AndTheUpdateCa_IsReached()
    {
        await using var server = await OpenSslServer.StartAsync(rsa: true, "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256");

        var outcome = await server.FetchAsync();

        Assert.Equal(UpdateCode.Ok, outcome.Code);
    }

    [Fact]
    public async Task ServerWithACertificateFromAnotherCa_IsRefused()
    {
        await using var server = await OpenSslServer.StartAsync(rsa: false, "-tls1_3");
        var (otherCa, otherKey) = TestCertificates.CreateCa("Some Public CA");
        using (otherCa)
        using (otherKey)
        {
            var outcome = await server.FetchAsync(otherCa);

            Assert.Equal(UpdateCode.TransportRefused, outcome.Code);
        }
    }

    /// <summary>openssl s_server -WWW serving a directory, with a certificate from a fresh test update CA.</summary>
    private sealed class OpenSslServer : IAsyncDisposable
    {
        private readonly TempDirectory _dir = new();
        private ChildProcess? _process;

        public int Port { get; private set; }

        public X509Certificate2 Ca { get; private set; } = null!;

        public static async Task<OpenSslServer> StartAsync(bool rsa, params string[] options)
        {
            var server = new OpenSslServer();
            var (ca, caKey) = TestCertificates.CreateCa("Iris Test Update CA");
            server.Ca = ca;
            using (caKey)
            using (var leaf = TestCertificates.IssueServer(ca, caKey, "127.0.0.1", rsa))
            {
                await File.WriteAllTextAsync(server._dir.Combine("cert.pem"), leaf.ExportCertificatePem());
                AsymmetricAlgorithm key = rsa ? leaf.GetRSAPrivateKey()! : leaf.GetECDsaPrivateKey()!;
                await File.WriteAllTextAsync(server._dir.Combine("key.pem"), key.ExportPkcs8PrivateKeyPem());
            }

            Directory.CreateDirectory(server._dir.Combine("metadata"));
            await File.WriteAllTextAsync(server._dir.Combine("metadata", "timestamp.json"), "{}");
            // Port 0: the system picks a free port as the server binds, and s_server names it ("ACCEPT 127.0.0.1:PORT")
            // once it listens. Without -quiet, so that line is printed.
            server._process = ChildProcess.StartExecutable("/bin/sh",
                ["-c", $"cd '{server._dir.Path}' && exec openssl s_server -accept 127.0.0.1:0 -cert cert.pem -key key.pem -WWW {string.Join(' ', options.Select(o => $"'{o}'"))}"]);
            var accept = await server._process.WaitForLineAsync(l => l.StartsWith("ACCEPT ", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
            server.Port = int.Parse(accept[(accept.LastIndexOf(':') + 1)..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            return server;
        }

        public async Task<UpdateOutcome> FetchAsync(X509Certificate2? trust = null)
        {
            using var transport = new HttpsUpdateTransport(new Uri($"https://127.0.0.1:{Port}/"), [trust ?? Ca], TimeProvider.System);
            return (await transport.FetchAsync("metadata/timestamp.json", 1024, CancellationToken.None)).Outcome;
        }

        public ValueTask DisposeAsync()
        {
            _process?.Dispose();
            Ca.Dispose();
            _dir.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
