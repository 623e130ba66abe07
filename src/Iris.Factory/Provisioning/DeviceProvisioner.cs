using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Iris.Factory.Labels;

namespace Iris.Factory.Provisioning;

/// <summary>What the manifest keeps about a device: never its password, never its key.</summary>
internal sealed record ProvisionedDevice(string Serial, string CertificateSha256, string KeyOrigin);

/// <summary>
/// Provisions one device: takes a serial from the ledger, certifies the device key (made on the device when it
/// left a signing request, else made here and handed over once), makes the default password, sends the label
/// to the label output and writes the provisioning package into the device's data directory, where the
/// daemon imports it on its next start (Identity/README.md). device.json is written last, as the commit point.
/// </summary>
internal sealed class DeviceProvisioner(StationCa ca, SerialLedger ledger, string station, TimeProvider time, ILabelOutput labels)
{
    public const string PackageDirectory = "provisioning";
    public const string RequestFile = "device.csr";
    public const string DescriptorFile = "device.json";
    public const string CertificateFile = "device-cert.pem";
    public const string KeyFile = "device-key.pem";
    public const string PasswordHashFile = "default-password-hash.json";
    private const string EcPublicKeyOid = "1.2.840.10045.2.1";

    private static readonly JsonSerializerOptions DescriptorJson = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public ProvisionedDevice Provision(ProvisioningOrder order, string deviceDataDirectory)
    {
        var package = Path.Combine(deviceDataDirectory, PackageDirectory);
        if (File.Exists(Path.Combine(deviceDataDirectory, "identity", DescriptorFile)) || File.Exists(Path.Combine(package, DescriptorFile)))
        {
            throw new InvalidOperationException($"'{deviceDataDirectory}' already has an identity; a device is provisioned once (factory-reset keeps it).");
        }

        Directory.CreateDirectory(package);
        var requestPath = Path.Combine(package, RequestFile);
        using var stationKey = File.Exists(requestPath) ? null : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var publicKey = stationKey is null ? ReadRequest(requestPath) : new CertificateRequest("CN=device", stationKey, HashAlgorithmName.SHA256).PublicKey;

        var now = time.GetUtcNow();
        var serial = ledger.Issue(order.Prefix, station, order.Order, now);
        using var certificate = DeviceCa.IssueDevice(ca, publicKey, serial, order.Vendor, now);
        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));

        var password = StationPassword.Generate();
        var hash = StationPassword.Hash(password);
        // The label first: a device must never ship with a password that exists nowhere but in its hash.
        labels.Write(new DeviceLabel(order.Vendor, order.Model, serial, password, order.SetupUrl));

        FactoryKeys.WriteNew(Path.Combine(package, CertificateFile),
            certificate.ExportCertificatePem() + "\n" + ca.Certificate.ExportCertificatePem() + "\n", FactoryKeys.OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        FactoryKeys.WriteNew(Path.Combine(package, PasswordHashFile), JsonSerializer.Serialize(hash), FactoryKeys.OwnerOnly);
        if (stationKey is not null)
        {
            FactoryKeys.WriteNew(Path.Combine(package, KeyFile), stationKey.ExportPkcs8PrivateKeyPem(), FactoryKeys.OwnerOnly);
        }

        var descriptor = new { FormatVersion = 1, Serial = serial, Model = order.Model, Origin = "factory", CreatedAt = now };
        FactoryKeys.WriteNew(Path.Combine(package, DescriptorFile), JsonSerializer.Serialize(descriptor, DescriptorJson), FactoryKeys.OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        ledger.RecordCertificate(serial, fingerprint);
        return new ProvisionedDevice(serial, fingerprint, stationKey is null ? "device" : "station");
    }

    /// <summary>The device's signing request, checked: its signature (proof the device holds the key) and a P-256 key.</summary>
    private static PublicKey ReadRequest(string path)
    {
        var request = CertificateRequest.LoadSigningRequestPem(File.ReadAllText(path), HashAlgorithmName.SHA256, CertificateRequestLoadOptions.Default);
        using var key = request.PublicKey.Oid.Value == EcPublicKeyOid ? request.PublicKey.GetECDsaPublicKey() : null;
        if (key is null || key.KeySize != 256)
        {
            throw new InvalidDataException($"The signing request in '{path}' is not for an ECDSA P-256 key.");
        }

        return request.PublicKey;
    }
}
