using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Iris.Shared;

namespace Iris.Camera.Identity;

/// <summary>Builds the device certificate: ECDSA P-256, subject naming the serial (5.1.1.1, 5.1.1.2).</summary>
internal static class DeviceCertificate
{
    private const string SerialNumberAttributeOid = "2.5.4.5";

    public static X500DistinguishedName SubjectFor(string serial, string vendor)
    {
        var builder = new X500DistinguishedNameBuilder();
        builder.AddOrganizationName(vendor);
        builder.Add(SerialNumberAttributeOid, serial, UniversalTagNumber.PrintableString);
        builder.AddCommonName(serial);
        return builder.Build();
    }

    /// <summary>A self-signed certificate for a development identity; factory identities are signed by the vendor CA.</summary>
    public static X509Certificate2 CreateSelfSigned(ECDsa key, string serial, string vendor, DateTimeOffset now)
    {
        var request = new CertificateRequest(SubjectFor(serial, vendor), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        // Server (the HTTPS listener) and client (mutual TLS to the owner's MQTT broker and webhook, Link/).
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));

        request.CertificateExtensions.Add(DeviceCertificateNames.For(serial));

        var certificateSerial = RandomNumberGenerator.GetBytes(16);
        certificateSerial[0] &= 0x7F;
        return request.Create(request.SubjectName, X509SignatureGenerator.CreateForECDsa(key), now.AddDays(-1), now.AddYears(20), certificateSerial);
    }

    /// <summary>Subject serial attribute, or null when the certificate does not carry one.</summary>
    public static string? SerialOf(X509Certificate2 certificate)
    {
        foreach (var attribute in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            if (attribute.GetSingleElementType().Value == SerialNumberAttributeOid)
            {
                return attribute.GetSingleElementValue();
            }
        }

        return null;
    }
}
