using System.Net;
using System.Security.Authentication;
using Iris.Camera.Tests.Support;

namespace Iris.Camera.Tests.Web;

/// <summary>One daemon process for the TLS tests, started as an owner would (so the OpenSSL profile is applied by re-exec).</summary>
public sealed class DaemonProcessFixture : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _data = new();

    public CameraProcess Camera { get; private set; } = null!;

    public async Task InitializeAsync() => Camera = await CameraProcess.StartAsync(_data.Path);

    public Task DisposeAsync()
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        Camera?.Dispose();
        _data.Dispose();
    }
}

/// <summary>IoT-1005-1 5.4.2.1, 5.4.2.2 and Annex A, checked on the wire with a client that can offer old protocols.</summary>
public sealed class TlsPolicyTests(DaemonProcessFixture fixture) : IClassFixture<DaemonProcessFixture>
{
    private int Port => fixture.Camera.Port;

    [Theory]
    [InlineData("-tls1")]
    [InlineData("-tls1_1")]
    public async Task Handshake_WithTls10Or11_IsRefusedByServer(string protocol)
    {
        // SECLEVEL=0 lets the client really offer the old protocol, so the refusal is the server's.
        var outcome = await OpenSslClient.ConnectAsync(Port, protocol, "-cipher", "DEFAULT:@SECLEVEL=0");

        Assert.False(outcome.Established, outcome.Output);
        Assert.True(outcome.ServerSentProtocolVersionAlert, outcome.Output);
    }

    [Theory]
    [InlineData("AES128-GCM-SHA256")]              // static RSA key exchange: no forward secrecy
    [InlineData("AES256-SHA256")]                  // no forward secrecy, CBC
    [InlineData("ECDHE-ECDSA-AES128-SHA256")]      // forward secret but CBC
    [InlineData("ECDHE-ECDSA-AES256-SHA")]         // forward secret but CBC with SHA-1
    [InlineData("ECDHE-ECDSA-CHACHA20-POLY1305")]  // not NIST-approved
    [InlineData("DHE-RSA-AES128-GCM-SHA256")]      // finite-field DH
    public async Task Tls12Handshake_OfferingOnlyWeakSuite_IsRefused(string suite)
    {
        var outcome = await OpenSslClient.ConnectAsync(Port, "-tls1_2", "-cipher", suite + ":@SECLEVEL=0");

        Assert.False(outcome.Established, outcome.Output);
        Assert.True(outcome.ServerSentHandshakeFailureAlert, outcome.Output);
    }

    [Theory]
    [InlineData("ECDHE-ECDSA-AES128-GCM-SHA256")]
    [InlineData("ECDHE-ECDSA-AES256-GCM-SHA384")]
    public async Task Tls12Handshake_WithEcdheAesGcm_Succeeds(string suite)
    {
        var outcome = await OpenSslClient.ConnectAsync(Port, "-tls1_2", "-cipher", suite);

        Assert.True(outcome.Established, outcome.Output);
        Assert.Equal("TLSv1.2", outcome.Protocol);
        Assert.Equal(suite, outcome.Cipher);
    }

    [Theory]
    [InlineData("TLS_AES_128_GCM_SHA256")]
    [InlineData("TLS_AES_256_GCM_SHA384")]
    public async Task Tls13Handshake_WithAesGcm_Succeeds(string suite)
    {
        var outcome = await OpenSslClient.ConnectAsync(Port, "-tls1_3", "-ciphersuites", suite);

        Assert.True(outcome.Established, outcome.Output);
        Assert.Equal("TLSv1.3", outcome.Protocol);
        Assert.Equal(suite, outcome.Cipher);
    }

    [Fact]
    public async Task Tls13Handshake_OfferingOnlyChaCha20_IsRefused()
    {
        var outcome = await OpenSslClient.ConnectAsync(Port, "-tls1_3", "-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256");

        Assert.False(outcome.Established, outcome.Output);
    }

    [Theory]
    [InlineData("-tls1_3", "X25519")]
    [InlineData("-tls1_2", "X25519")]
    [InlineData("-tls1_3", "X448")]
    [InlineData("-tls1_3", "ffdhe2048")]
    public async Task Handshake_OfferingOnlyNonNistGroup_IsRefused(string protocol, string group)
    {
        var outcome = await OpenSslClient.ConnectAsync(Port, protocol, "-groups", group);

        Assert.False(outcome.Established, outcome.Output);
    }

    [Theory]
    [InlineData("P-256", "prime256v1")]
    [InlineData("P-384", "secp384r1")]
    public async Task Handshake_WithNistGroup_UsesThatGroup(string group, string expectedName)
    {
        var outcome = await OpenSslClient.ConnectAsync(Port, "-tls1_3", "-groups", group);

        Assert.True(outcome.Established, outcome.Output);
        Assert.Contains(expectedName, outcome.TempKey, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handshake_OfferingX25519First_NegotiatesANistGroup()
    {
        // What a browser offers by default: the server must pick P-256 rather than X25519.
        var outcome = await OpenSslClient.ConnectAsync(Port, "-tls1_3", "-groups", "X25519:P-256:P-384");

        Assert.True(outcome.Established, outcome.Output);
        Assert.DoesNotContain("X25519", outcome.TempKey, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_PresentsTheDeviceCertificate()
    {
        var outcome = await OpenSslClient.ConnectAsync(Port, "-showcerts");

        Assert.True(outcome.Established, outcome.Output);
        var presented = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(outcome.Output);
        Assert.Equal(fixture.Camera.Certificate.Thumbprint, presented.Thumbprint);
    }

    [Fact]
    public async Task NetClient_WithTls12Only_Succeeds()
    {
        using var client = PinnedHttpClient.Create(fixture.Camera.BaseAddress, fixture.Camera.Certificate, SslProtocols.Tls12);

        using var response = await client.GetAsync(new Uri("/api/device", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task PlainHttpRequest_OnTheHttpsPort_GetsNoHttpResponse()
    {
        // There is no plaintext listener; plain HTTP on the TLS port must not be served.
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync("GET /api/device HTTP/1.1\r\nHost: localhost\r\n\r\n"u8.ToArray());
        var buffer = new byte[512];
        int read;
        try
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            read = await stream.ReadAsync(buffer, cancel.Token);
        }
        catch (IOException)
        {
            read = 0;
        }

        var text = System.Text.Encoding.ASCII.GetString(buffer, 0, read);
        Assert.DoesNotContain("serial", text, StringComparison.Ordinal);
        Assert.False(text.StartsWith("HTTP/1.1 200", StringComparison.Ordinal), text);
    }
}
