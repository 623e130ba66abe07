using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Iris.Camera.Web;

namespace Iris.Camera.Tests.Web;

/// <summary>
/// The server options every handshake gets (issue 18, TLS cost): built once per certificate, not per connection,
/// and a new certificate gets options of its own. What goes on the wire is checked in <see cref="TlsPolicyTests"/>.
/// </summary>
public sealed class TlsServerOptionsTests
{
    [Fact]
    public void EveryHandshake_GetsTheSameOptions_WithOneCertificateContextBuiltOnce()
    {
        using var certificate = SelfSigned("CN=one");
        var options = TlsPolicy.CreateServerOptions(certificate, openSslProfileApplied: true);

        var first = options();
        var second = options();

        Assert.Same(first, second);
        Assert.NotNull(first.ServerCertificateContext);
        Assert.Equal(certificate.Thumbprint, first.ServerCertificateContext.TargetCertificate.Thumbprint);
        Assert.Equal(SslProtocols.Tls12 | SslProtocols.Tls13, first.EnabledSslProtocols);
        Assert.Equal([SslApplicationProtocol.Http2, SslApplicationProtocol.Http11], first.ApplicationProtocols);
        Assert.False(first.ClientCertificateRequired);
        Assert.Equal(X509RevocationMode.NoCheck, first.CertificateRevocationCheckMode);
        Assert.Null(first.ServerCertificateSelectionCallback);
        // The profile restricts the suites; a policy here would make .NET build an SSL_CTX per handshake.
        Assert.Null(first.CipherSuitesPolicy);
    }

    [Fact]
    public void WithoutTheOpenSslProfile_TheSuitesAreRestrictedByAPolicy()
    {
        using var certificate = SelfSigned("CN=one");

        var options = TlsPolicy.CreateServerOptions(certificate, openSslProfileApplied: false)();

        Assert.NotNull(options.CipherSuitesPolicy);
        Assert.Equal(
            [TlsCipherSuite.TLS_AES_256_GCM_SHA384, TlsCipherSuite.TLS_AES_128_GCM_SHA256],
            options.CipherSuitesPolicy.AllowedCipherSuites.Where(s => s.ToString().StartsWith("TLS_AES", StringComparison.Ordinal)));
    }

    [Fact]
    public void ANewCertificate_GetsOptionsThatPresentIt_AndTheChainGoesWithIt()
    {
        using var oldCertificate = SelfSigned("CN=old");
        using var root = SelfSigned("CN=vendor root", isCa: true);
        using var ca = Issue("CN=device CA", root, isCa: true);
        using var newCertificate = Issue("CN=new", ca, isCa: false);
        var before = TlsPolicy.CreateServerOptions(oldCertificate, openSslProfileApplied: true);

        var after = TlsPolicy.CreateServerOptions(newCertificate, openSslProfileApplied: true, [ca])();

        Assert.Equal(oldCertificate.Thumbprint, before().ServerCertificateContext!.TargetCertificate.Thumbprint);
        Assert.Equal(newCertificate.Thumbprint, after.ServerCertificateContext!.TargetCertificate.Thumbprint);
        Assert.Contains(after.ServerCertificateContext.IntermediateCertificates, c => c.Thumbprint == ca.Thumbprint);
    }

    private static X509Certificate2 SelfSigned(string subject, bool isCa = false)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var now = DateTimeOffset.UtcNow;
        return Request(subject, key, isCa).CreateSelfSigned(now.AddMinutes(-1), now.AddDays(1));
    }

    private static X509Certificate2 Issue(string subject, X509Certificate2 issuer, bool isCa)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var now = DateTimeOffset.UtcNow;
        using var issued = Request(subject, key, isCa).Create(issuer, now.AddMinutes(-1), now.AddDays(1), RandomNumberGenerator.GetBytes(8));
        return issued.CopyWithPrivateKey(key);
    }

    private static CertificateRequest Request(string subject, ECDsa key, bool isCa)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(isCa, false, 0, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request;
    }
}
