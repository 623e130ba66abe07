using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Iris.Camera.Web;

/// <summary>
/// The daemon's one client TLS policy, for every outgoing connection (updates, telemetry): TLS 1.2/1.3 with
/// ECDHE and AES-GCM only, and a server certificate that must chain to the given trust anchors (never the
/// system store) and name the host. No redirects, no proxy, no cookies, no compression.
/// </summary>
internal static class ClientTls
{
    public static SocketsHttpHandler CreateHandler(X509Certificate2Collection trust, TimeProvider time) => new()
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false,
        ConnectTimeout = TimeSpan.FromSeconds(15),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AutomaticDecompression = DecompressionMethods.None,
        SslOptions = new SslClientAuthenticationOptions
        {
            // The same protocols and suites the daemon's own listener allows.
            EnabledSslProtocols = TlsPolicy.Protocols,
            CipherSuitesPolicy = TlsPolicy.CreateCipherSuitesPolicy(),
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, _, errors) => Validate(certificate, errors, trust, time),
        },
    };

    public static X509Certificate2Collection LoadTrust(string pemFile)
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPemFile(pemFile);
        return collection.Count > 0 ? collection : throw new InvalidDataException($"'{pemFile}' holds no certificate.");
    }

    private static bool Validate(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection trust, TimeProvider time)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trust);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = time.GetUtcNow().UtcDateTime;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }
}
