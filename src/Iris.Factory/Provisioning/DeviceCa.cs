using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Iris.Firmware.Metadata;
using Iris.Shared;

namespace Iris.Factory.Provisioning;

/// <summary>
/// The vendor's device PKI: an offline root (a key file kept off the line) that signs one intermediate, the
/// device CA, whose key lives in a PKCS#11 token at the stations (or a file, for a lab). Device certificates are
/// signed by the intermediate and carry it in the device's chain, so a client checks a camera against the
/// vendor root alone (see Provisioning/README.md).
/// </summary>
internal static class DeviceCa
{
    public const string RootKeyFile = "root-ca.key.pem";
    public const string RootCertificateFile = "root-ca.cert.pem";
    public const string IntermediateRole = "deviceca";
    public const string IntermediateCertificateFile = "deviceca.cert.pem";
    private const string SerialNumberAttributeOid = "2.5.4.5";
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    /// <summary>Makes the offline root: a P-384 key file (owner-only) and its self-signed certificate.</summary>
    public static void CreateRoot(string directory, string name, DateTimeOffset now)
    {
        Directory.CreateDirectory(directory);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var request = new CertificateRequest(Name(name), key, HashAlgorithmName.SHA384);
        AddCaExtensions(request, pathLength: 1);
        using var root = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(30));
        FactoryKeys.WriteNew(Path.Combine(directory, RootKeyFile), key.ExportPkcs8PrivateKeyPem(), FactoryKeys.OwnerOnly);
        File.WriteAllText(Path.Combine(directory, RootCertificateFile), root.ExportCertificatePem() + "\n");
    }

    /// <summary>
    /// Signs the device CA's certificate with the root. The intermediate's key must already exist in
    /// <paramref name="caDirectory"/> (deviceca.pem or deviceca.pkcs11.json, made by <c>ca key</c>).
    /// </summary>
    public static void IssueIntermediate(string rootDirectory, string caDirectory, string name, DateTimeOffset now)
    {
        using var root = LoadRoot(rootDirectory);
        var signer = FactoryKeys.LoadSigners(caDirectory, IntermediateRole)[0];
        var request = new CertificateRequest(Name(name), PublicKey.CreateFromSubjectPublicKeyInfo(signer.PublicKey, out _), HashAlgorithmName.SHA384);
        AddCaExtensions(request, pathLength: 0);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(root, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        using var intermediate = request.Create(root, now.AddDays(-1), now.AddYears(25), NewCertificateSerial());
        File.WriteAllText(Path.Combine(caDirectory, IntermediateCertificateFile), intermediate.ExportCertificatePem() + "\n");
        File.WriteAllText(Path.Combine(caDirectory, RootCertificateFile), root.ExportCertificatePem() + "\n");
    }

    /// <summary>Opens the station's device CA: its certificate, the root it chains to, and the signer for its key.</summary>
    public static StationCa Open(string caDirectory)
    {
        var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(caDirectory, IntermediateCertificateFile)));
        var root = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(caDirectory, RootCertificateFile)));
        var signer = FactoryKeys.LoadSigners(caDirectory, IntermediateRole)[0];
        if (!certificate.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(signer.PublicKey))
        {
            throw new InvalidDataException($"The device CA key in '{caDirectory}' does not match {IntermediateCertificateFile}.");
        }

        return new StationCa(certificate, root, signer);
    }

    /// <summary>A device certificate for <paramref name="serial"/> over the device's public key.</summary>
    public static X509Certificate2 IssueDevice(StationCa ca, PublicKey devicePublicKey, string serial, string vendor, DateTimeOffset now)
    {
        var subject = new X500DistinguishedNameBuilder();
        subject.AddOrganizationName(vendor);
        subject.Add(SerialNumberAttributeOid, serial, UniversalTagNumber.PrintableString);
        subject.AddCommonName(serial);
        var request = new CertificateRequest(subject.Build(), devicePublicKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuth, ClientAuth], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca.Certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        request.CertificateExtensions.Add(DeviceCertificateNames.For(serial));
        // Never past the CA's own expiry: a chain with a child outliving its issuer fails in some clients.
        var notAfter = now.AddYears(20) < ca.Certificate.NotAfter ? now.AddYears(20) : new DateTimeOffset(ca.Certificate.NotAfter);
        return request.Create(ca.Certificate.SubjectName, new SignerGenerator(ca.Signer), now.AddDays(-1), notAfter, NewCertificateSerial());
    }

    private static X509Certificate2 LoadRoot(string rootDirectory)
    {
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(rootDirectory, RootCertificateFile)));
        using var key = ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(Path.Combine(rootDirectory, RootKeyFile)));
        return certificate.CopyWithPrivateKey(key);
    }

    private static X500DistinguishedName Name(string name)
    {
        var builder = new X500DistinguishedNameBuilder();
        builder.AddCommonName(name);
        return builder.Build();
    }

    private static void AddCaExtensions(CertificateRequest request, int pathLength)
    {
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, pathLength, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
    }

    private static byte[] NewCertificateSerial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        return serial;
    }
}

/// <summary>The device CA as a station holds it: certificate, root, and a signer that never exposes the key.</summary>
internal sealed class StationCa(X509Certificate2 certificate, X509Certificate2 root, IMetadataSigner signer) : IDisposable
{
    public X509Certificate2 Certificate { get; } = certificate;

    public X509Certificate2 Root { get; } = root;

    public IMetadataSigner Signer { get; } = signer;

    public void Dispose()
    {
        Certificate.Dispose();
        Root.Dispose();
    }
}
