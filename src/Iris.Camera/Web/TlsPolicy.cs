using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Iris.Camera.Web;

/// <summary>
/// The one TLS policy for every connection the daemon accepts or opens (5.4.2.1, 5.3.1.2, Annex A):
/// TLS 1.2 and 1.3 only, ECDHE key exchange (forward secrecy) with AES-GCM only. Key-exchange groups are
/// limited to P-256/P-384 by the OpenSSL profile (deploy/openssl/iris-openssl.cnf).
/// </summary>
internal static class TlsPolicy
{
    public const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    public static IReadOnlyList<TlsCipherSuite> AllowedSuites { get; } =
    [
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    ];

    /// <summary>Null where the platform cannot restrict suites (it can on Linux, the only target).</summary>
    public static CipherSuitesPolicy? CreateCipherSuitesPolicy() =>
        OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() ? new CipherSuitesPolicy(AllowedSuites) : null;

    /// <summary>
    /// Server options for one handshake. The certificate context is built once, offline: the device certificate's
    /// chain is known, so the system CA store is never read (that alone cost ~300 ms of start-up) and every
    /// handshake reuses the same context.
    /// </summary>
    public static Func<SslServerAuthenticationOptions> CreateServerOptions(X509Certificate2 certificate)
    {
        var context = SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true);
        var cipherSuites = CreateCipherSuitesPolicy();
        List<SslApplicationProtocol> alpn = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];
        return () => new SslServerAuthenticationOptions
        {
            ServerCertificateContext = context,
            EnabledSslProtocols = Protocols,
            CipherSuitesPolicy = cipherSuites,
            ApplicationProtocols = alpn,
            ClientCertificateRequired = false,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            AllowRenegotiation = false,
            EncryptionPolicy = EncryptionPolicy.RequireEncryption,
        };
    }

    public static string Describe => "TLS 1.2/1.3, ECDHE (P-256/P-384) with AES-GCM";
}
