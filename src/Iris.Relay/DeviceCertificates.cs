using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Iris.Relay;

/// <summary>
/// Admits a camera by its device certificate: it must chain to the configured device CA (never the system
/// store), be valid now, carry a P-256 key, and allow client authentication when it lists extended key usages.
/// The serial is the certificate's common name, as the factory issues it.
/// </summary>
internal sealed class DeviceCertificates(X509Certificate2Collection anchors, TimeProvider time)
{
    /// <summary>id-kp-clientAuth (RFC 5280, 4.2.1.12).</summary>
    public const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    public static DeviceCertificates Load(string pemFile, TimeProvider time)
    {
        var anchors = new X509Certificate2Collection();
        anchors.ImportFromPemFile(pemFile);
        return anchors.Count > 0 ? new DeviceCertificates(anchors, time) : throw new InvalidDataException($"'{pemFile}' holds no certificate.");
    }

    public bool IsValid(X509Certificate2 certificate)
    {
        using var key = certificate.GetECDsaPublicKey();
        if (key is null || key.KeySize != 256 || string.IsNullOrEmpty(SerialOf(certificate)))
        {
            return false;
        }

        var usages = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().ToList();
        if (usages.Count > 0 && !usages.All(u => u.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == ClientAuthentication)))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(anchors);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = time.GetUtcNow().UtcDateTime;
        return chain.Build(certificate);
    }

    public static string SerialOf(X509Certificate2 certificate) => certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
}
