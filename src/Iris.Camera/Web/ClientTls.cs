using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Iris.Camera.Web;

/// <summary>
/// The daemon's one client TLS policy, for every outgoing connection (updates, telemetry): TLS 1.2/1.3 with
/// ECDHE and AES-GCM only, and a server certificate that must chain to the given trust anchors (never the
/// system store), name the host, and be meant for a TLS server: when it lists extended key usages, server
/// authentication must be among them (a client certificate from the same CA is not a server's). No redirects,
/// no proxy, no cookies, no compression.
/// </summary>
internal static class ClientTls
{
    /// <summary>id-kp-serverAuth (RFC 5280, 4.2.1.12).</summary>
    public const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";

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
            RemoteCertificateValidationCallback = (_, certificate, _, errors) => ValidateServer(certificate, errors, trust, time),
        },
    };

    public static X509Certificate2Collection LoadTrust(string pemFile)
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPemFile(pemFile);
        return collection.Count > 0 ? collection : throw new InvalidDataException($"'{pemFile}' holds no certificate.");
    }

    /// <summary>The server-certificate check of this policy, for clients that are not HttpClient (the MQTT link).</summary>
    public static bool ValidateServer(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection trust, TimeProvider time)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return false;
        }

        using var leaf = new X509Certificate2(certificate);
        if (!AllowsServerAuthentication(leaf))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trust);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = time.GetUtcNow().UtcDateTime;
        // The chain as a whole must allow server authentication too (an intermediate may narrow it).
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(ServerAuthentication));
        return chain.Build(leaf);
    }

    /// <summary>No extended key usage extension means any use (RFC 5280); with one, it must name server authentication.</summary>
    public static bool AllowsServerAuthentication(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>()
            .All(extension => extension.EnhancedKeyUsages.Cast<Oid>().Any(usage => usage.Value == ServerAuthentication));
}
