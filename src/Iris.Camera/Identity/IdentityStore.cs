using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Serialization;
using Iris.Camera.Platform;
using Iris.Camera.Vault;
using Microsoft.Extensions.Logging;

namespace Iris.Camera.Identity;

/// <summary>
/// Reads and writes the identity files (see README.md in this folder). Factory provisioning writes the same
/// files through <see cref="WriteIdentity"/>; the daemon only ever creates a development identity itself.
/// </summary>
internal sealed partial class IdentityStore(string directory, SecretVault vault, TimeProvider time, ILogger logger)
{
    public const string DescriptorFile = "device.json";
    public const string CertificateFile = "device-cert.pem";
    public const string PrivateKeyItem = "device-key";

    private static readonly JsonSerializerOptions DescriptorJson = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public DeviceIdentity LoadOrCreateDevelopment(string model, string vendor)
    {
        var descriptorPath = Path.Combine(directory, DescriptorFile);
        AtomicFile.RemoveInterruptedWrites(directory);
        if (File.Exists(descriptorPath))
        {
            return Load(descriptorPath);
        }

        // No committed identity: any key or certificate left behind is from an interrupted first start and is
        // overwritten. device.json is written last and is the commit point.
        var serial = SerialNumber.NewDevelopment();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = DeviceCertificate.CreateSelfSigned(key, serial, vendor, time.GetUtcNow());
        WriteIdentity(new IdentityDescriptor(1, serial, model, IdentityOrigin.Development, time.GetUtcNow()), key, certificate);
        LogDevelopmentIdentityCreated(logger, serial);
        return Load(descriptorPath);
    }

    /// <summary>Writes a complete identity: sealed key, certificate, then the descriptor as commit point.</summary>
    public void WriteIdentity(IdentityDescriptor descriptor, ECDsa key, X509Certificate2 certificate)
    {
        Directory.CreateDirectory(directory);
        var pkcs8 = key.ExportPkcs8PrivateKey();
        try
        {
            vault.Seal(PrivateKeyItem, pkcs8);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }

        AtomicFile.Write(Path.Combine(directory, CertificateFile), System.Text.Encoding.ASCII.GetBytes(certificate.ExportCertificatePem() + "\n"),
            AtomicFile.OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        AtomicFile.Write(Path.Combine(directory, DescriptorFile), JsonSerializer.SerializeToUtf8Bytes(descriptor, DescriptorJson),
            AtomicFile.OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }

    private DeviceIdentity Load(string descriptorPath)
    {
        IdentityDescriptor descriptor;
        try
        {
            descriptor = JsonSerializer.Deserialize<IdentityDescriptor>(File.ReadAllBytes(descriptorPath), DescriptorJson)
                ?? throw new StartupException($"Identity descriptor '{descriptorPath}' is empty.");
        }
        catch (JsonException)
        {
            throw new StartupException($"Identity descriptor '{descriptorPath}' is damaged (not valid identity JSON).");
        }

        if (descriptor.FormatVersion != 1)
        {
            throw new StartupException($"Identity descriptor format {descriptor.FormatVersion} is not supported by this software.");
        }

        if (!SerialNumber.IsValid(descriptor.Serial))
        {
            throw new StartupException($"Identity descriptor '{descriptorPath}' holds an invalid serial number.");
        }

        X509Certificate2 publicCertificate;
        try
        {
            publicCertificate = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(directory, CertificateFile)));
        }
        catch (Exception ex) when (ex is CryptographicException or IOException)
        {
            throw new StartupException($"Device certificate in '{directory}' is missing or damaged.", ex);
        }

        using (publicCertificate)
        {
            if (!string.Equals(DeviceCertificate.SerialOf(publicCertificate), descriptor.Serial, StringComparison.Ordinal))
            {
                throw new StartupException("Device certificate subject does not name the device serial.");
            }

            using var sealedKey = vault.Unseal(PrivateKeyItem);
            if (sealedKey.Status != VaultReadStatus.Ok)
            {
                throw new StartupException($"Device private key cannot be unsealed: {sealedKey.Failure}.");
            }

            using var key = ECDsa.Create();
            try
            {
                key.ImportPkcs8PrivateKey(sealedKey.Secret, out _);
            }
            catch (CryptographicException ex)
            {
                throw new StartupException("Device private key is not a valid PKCS#8 key.", ex);
            }

            X509Certificate2 withKey;
            try
            {
                withKey = publicCertificate.CopyWithPrivateKey(key);
            }
            catch (ArgumentException ex)
            {
                throw new StartupException("Device private key does not match the device certificate.", ex);
            }

            return new DeviceIdentity(descriptor.Serial, descriptor.Model, descriptor.Origin, withKey);
        }
    }

    [LoggerMessage(EventId = 1100, Level = LogLevel.Warning,
        Message = "No provisioned identity found: created development identity {Serial}. This device is not factory-provisioned.")]
    private static partial void LogDevelopmentIdentityCreated(ILogger logger, string serial);
}

/// <summary>The public part of an identity, stored as identity/device.json.</summary>
internal sealed record IdentityDescriptor(int FormatVersion, string Serial, string Model, IdentityOrigin Origin, DateTimeOffset CreatedAt);
