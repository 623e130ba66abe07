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
    /// Server options for every handshake with this certificate: one object, built once, that each handshake reads
    /// (SslStream copies what it needs and changes nothing), so a connection allocates no options, ALPN list or
    /// certificate context of its own. The certificate context is built offline once, with the chain. Where the Iris
    /// OpenSSL profile is in force (the daemon always runs with it, see Platform/LaunchEnvironment.cs) the profile
    /// restricts the suites for every SSL_CTX, and no CipherSuitesPolicy is set: .NET caches the server SSL_CTX
    /// (on the certificate context) only without one, and building a context per handshake cost about a fifth of
    /// the handshake rate. Without the profile (the daemon embedded in another host, in-process tests) the policy
    /// is set, so the suites are restricted either way. The device certificate changes only with a new identity,
    /// which is loaded once, at start (Identity/README.md); a caller that could change it would build new options here.
    /// </summary>
    public static Func<SslServerAuthenticationOptions> CreateServerOptions(X509Certificate2 certificate, bool openSslProfileApplied, X509Certificate2Collection? chain = null)
    {
        // The device CA goes with the certificate so a client can check it against the vendor root alone.
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = SslStreamCertificateContext.Create(certificate, additionalCertificates: chain, offline: true),
            EnabledSslProtocols = Protocols,
            CipherSuitesPolicy = openSslProfileApplied ? null : CreateCipherSuitesPolicy(),
            ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
            ClientCertificateRequired = false,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            AllowRenegotiation = false,
            EncryptionPolicy = EncryptionPolicy.RequireEncryption,
        };
        return () => options;
    }

    public static string Describe => "TLS 1.2/1.3, ECDHE (P-256/P-384) with AES-GCM";
}
