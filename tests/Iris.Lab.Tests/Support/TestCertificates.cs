using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Iris.Lab.Tests.Support;

/// <summary>Keys and certificates made at run time for the targets (never committed): PEM files in a temporary directory.</summary>
internal static class TestCertificates
{
    /// <summary>A self-signed RSA certificate valid from <paramref name="notBefore"/> to <paramref name="notAfter"/>; returns (cert, key) paths.</summary>
    public static (string Cert, string Key) SelfSigned(TempDirectory dir, string name, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var cert = request.CreateSelfSigned(notBefore, notAfter);
        return Write(dir, name, cert, key);
    }

    /// <summary>A CA (returned as PEM) and an ECDSA P-256 leaf it issued for 127.0.0.1, as a camera's factory CA would.</summary>
    public static (string Cert, string Key, string CaPem) IssuedByCa(TempDirectory dir, string name)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Test Device CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        var now = DateTimeOffset.UtcNow;
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddYears(5));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var leaf = request.Create(ca, now.AddDays(-1), now.AddYears(1), [1, 2, 3, 4, 5, 6, 7, 8]);
        var (certPath, keyPath) = Write(dir, name, leaf, key);
        return (certPath, keyPath, ca.ExportCertificatePem());
    }

    private static (string Cert, string Key) Write(TempDirectory dir, string name, X509Certificate2 cert, AsymmetricAlgorithm key)
    {
        var certPath = dir.File(name + ".crt");
        var keyPath = dir.File(name + ".key");
        File.WriteAllText(certPath, cert.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certPath, keyPath);
    }
}
