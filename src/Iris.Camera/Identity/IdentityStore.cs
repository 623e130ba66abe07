using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Serialization;
using Iris.Camera.Platform;
using Iris.Camera.Vault;
using Microsoft.Extensions.Logging;

namespace Iris.Camera.Identity;

/// <summary>
/// Reads and writes the identity files (see README.md in this folder). A factory identity arrives as a
/// provisioning package (<see cref="FactoryPackage"/>) and is written through <see cref="WriteIdentity"/>; the
/// daemon only ever creates a development identity itself, and only when no package is there.
/// </summary>
internal sealed partial class IdentityStore(string directory, SecretVault vault, TimeProvider time, ILogger logger)
{
    public const string DescriptorFile = "device.json";
    public const string CertificateFile = "device-cert.pem";
    public const string ChainFile = "device-chain.pem";
    public const string PrivateKeyItem = "device-key";

    internal static readonly JsonSerializerOptions DescriptorJson = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { EnumNames.CamelCase() },
        TypeInfoResolver = IdentityJson.Default,
    };

    /// <summary>
    /// The committed identity; else the factory's package, imported; else a new development identity. A package
    /// never replaces a committed identity: one left behind by an import that stopped after its commit point
    /// is deleted, any other stops the daemon.
    /// </summary>
    public DeviceIdentity LoadOrProvision(string model, string vendor, FactoryPackage package)
    {
        var descriptorPath = Path.Combine(directory, DescriptorFile);
        if (File.Exists(descriptorPath) && package.IsPresent)
        {
            var committed = Load(descriptorPath);
            if (committed.Origin != IdentityOrigin.Factory || !string.Equals(package.ReadSerial(), committed.Serial, StringComparison.Ordinal))
            {
                committed.Dispose();
                throw new StartupException("A provisioning package is waiting, but this device already has an identity; it is never replaced.");
            }

            package.Remove();
            return committed;
        }

        if (!File.Exists(descriptorPath) && package.IsPresent)
        {
            AtomicFile.RemoveInterruptedWrites(directory);
            package.Import(this);
            var provisioned = Load(descriptorPath);
            LogFactoryIdentityImported(logger, provisioned.Serial);
            return provisioned;
        }

        return LoadOrCreateDevelopment(model, vendor);
    }

    private DeviceIdentity LoadOrCreateDevelopment(string model, string vendor)
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

    /// <summary>Writes a complete identity: sealed key, certificate and its chain, then the descriptor as commit point.</summary>
    public void WriteIdentity(IdentityDescriptor descriptor, ECDsa key, X509Certificate2 certificate, IReadOnlyList<X509Certificate2>? chain = null)
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
        var chainPath = Path.Combine(directory, ChainFile);
        if (chain is { Count: > 0 })
        {
            AtomicFile.Write(chainPath, System.Text.Encoding.ASCII.GetBytes(string.Concat(chain.Select(c => c.ExportCertificatePem() + "\n"))),
                AtomicFile.OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
        else
        {
            AtomicFile.DeleteDurably(chainPath);
        }

        AtomicFile.Write(Path.Combine(directory, DescriptorFile), JsonSerializer.SerializeToUtf8Bytes(descriptor, DescriptorJson.Info<IdentityDescriptor>()),
            AtomicFile.OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }

    private DeviceIdentity Load(string descriptorPath)
    {
        IdentityDescriptor descriptor;
        try
        {
            descriptor = JsonSerializer.Deserialize(File.ReadAllBytes(descriptorPath), DescriptorJson.Info<IdentityDescriptor>())
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

        if (!SerialNumber.IsValid(descriptor.Serial) || (descriptor.Origin == IdentityOrigin.Factory && !Iris.Shared.FactorySerial.IsValid(descriptor.Serial)))
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

        var chain = new X509Certificate2Collection();
        try
        {
            if (File.Exists(Path.Combine(directory, ChainFile)))
            {
                chain.ImportFromPemFile(Path.Combine(directory, ChainFile));
            }
        }
        catch (CryptographicException ex)
        {
            publicCertificate.Dispose();
            throw new StartupException($"Device certificate chain in '{directory}' is damaged.", ex);
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

            return new DeviceIdentity(descriptor.Serial, descriptor.Model, descriptor.Origin, withKey, chain);
        }
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information,
        Message = "Imported the factory identity {Serial}; the provisioning package is deleted.")]
    private static partial void LogFactoryIdentityImported(ILogger logger, string serial);

    [LoggerMessage(EventId = 1100, Level = LogLevel.Warning,
        Message = "No provisioned identity found: created development identity {Serial}. This device is not factory-provisioned.")]
    private static partial void LogDevelopmentIdentityCreated(ILogger logger, string serial);
}

/// <summary>The public part of an identity, stored as identity/device.json.</summary>
internal sealed record IdentityDescriptor(int FormatVersion, string Serial, string Model, IdentityOrigin Origin, DateTimeOffset CreatedAt);
