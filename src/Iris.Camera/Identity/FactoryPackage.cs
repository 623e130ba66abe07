using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Iris.Camera.Platform;
using Iris.Camera.Vault;
using Iris.Shared;

namespace Iris.Camera.Identity;

/// <summary>
/// The provisioning package a factory station leaves in <c>&lt;data-dir&gt;/provisioning/</c> (Identity/README.md):
/// read, checked in full, and turned into the device's identity on its first start; then deleted. Also the
/// device's half of on-device key generation: in provisioning mode the daemon makes the key, seals it and
/// leaves a signing request there for the station.
/// </summary>
internal sealed class FactoryPackage(string dataDirectory, SecretVault vault, string? vendorRootFile = null)
{
    public const string Directory = "provisioning";
    public const string RequestFile = "device.csr";
    public const string PendingKeyItem = "device-key-pending";

    // The vault item Accounts reads the default password's hash from (Accounts/OwnerBootstrap.DefaultPasswordHashItem);
    // Identity cannot name Accounts (it comes first), so the name is repeated here.
    public const string DefaultPasswordHashItem = "default-password-hash";

    private const string DescriptorFile = "device.json";
    private const string ChainFile = "device-cert.pem";
    private const string KeyFile = "device-key.pem";
    private const string PasswordHashFile = "default-password-hash.json";

    private string PackagePath => Path.Combine(dataDirectory, Directory);

    public bool IsPresent => File.Exists(Path.Combine(PackagePath, DescriptorFile));

    /// <summary>Generates the device key on the device, seals it, and writes the signing request for the station.</summary>
    public string WriteSigningRequest()
    {
        System.IO.Directory.CreateDirectory(PackagePath);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pkcs8 = key.ExportPkcs8PrivateKey();
        try
        {
            vault.Seal(PendingKeyItem, pkcs8);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }

        var request = new CertificateRequest("CN=Iris provisioning request", key, HashAlgorithmName.SHA256);
        var path = Path.Combine(PackagePath, RequestFile);
        AtomicFile.Write(path, System.Text.Encoding.ASCII.GetBytes(request.CreateSigningRequestPem() + "\n"),
            AtomicFile.OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        return path;
    }

    /// <summary>The serial the package names (to recognise a package left behind after it was imported).</summary>
    public string ReadSerial() => ReadDescriptor().Serial;

    /// <summary>Checks every part of the package and imports it through <paramref name="store"/>; the package is then deleted.</summary>
    public void Import(IdentityStore store)
    {
        var descriptor = ReadDescriptor();
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPemFile(Path.Combine(PackagePath, ChainFile));
        }
        catch (Exception ex) when (ex is CryptographicException or IOException)
        {
            throw new StartupException("The provisioning package's certificate chain is missing or damaged.", ex);
        }

        if (certificates.Count < 2)
        {
            throw new StartupException("The provisioning package must hold the device certificate and its device CA.");
        }

        var leaf = certificates[0];
        if (!string.Equals(DeviceCertificate.SerialOf(leaf), descriptor.Serial, StringComparison.Ordinal))
        {
            throw new StartupException("The provisioned device certificate does not name the provisioned serial.");
        }

        CheckChain(leaf, certificates);
        using var key = ReadKey();
        // Checked before anything is committed: a key that does not belong to the certificate would otherwise be
        // sealed as the identity and stop every later start.
        if (!key.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(leaf.PublicKey.ExportSubjectPublicKeyInfo()))
        {
            throw new StartupException("The provisioned device key does not belong to the provisioned device certificate; nothing was imported.");
        }

        var hash = ReadPasswordHash();
        vault.Seal(DefaultPasswordHashItem, hash);
        store.WriteIdentity(descriptor, key, leaf, [.. certificates.Skip(1)]);
        foreach (var certificate in certificates)
        {
            certificate.Dispose();
        }

        Remove();
    }

    /// <summary>
    /// When the image names the vendor root (<see cref="DeviceOptions.VendorRootCertificateFile"/>, as a production
    /// image does), the device certificate must chain to it through the package's device CA: a package signed by
    /// any other CA is refused. A development image without it takes the package as the station made it.
    /// </summary>
    private void CheckChain(X509Certificate2 leaf, X509Certificate2Collection certificates)
    {
        if (vendorRootFile is null)
        {
            return;
        }

        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(vendorRootFile);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException)
        {
            throw new StartupException($"The vendor root certificate file '{vendorRootFile}' is missing or damaged.", ex);
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.VerificationTime = leaf.NotBefore.AddSeconds(1); // a board may start before its clock is set
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        foreach (var certificate in certificates.Skip(1))
        {
            chain.ChainPolicy.ExtraStore.Add(certificate);
        }

        var built = chain.Build(leaf);
        var why = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
        foreach (var root in roots)
        {
            root.Dispose();
        }

        if (!built)
        {
            throw new StartupException($"The provisioned device certificate does not chain to the vendor root ({why}); nothing was imported.");
        }
    }

    /// <summary>Deletes the package (the station's copy of the key first) and the pending on-device key.</summary>
    public void Remove()
    {
        foreach (var file in new[] { KeyFile, PasswordHashFile, ChainFile, RequestFile, DescriptorFile })
        {
            AtomicFile.DeleteDurably(Path.Combine(PackagePath, file));
        }

        if (vault.Contains(PendingKeyItem))
        {
            vault.Delete(PendingKeyItem);
        }

        if (System.IO.Directory.Exists(PackagePath) && !System.IO.Directory.EnumerateFileSystemEntries(PackagePath).Any())
        {
            System.IO.Directory.Delete(PackagePath);
        }
    }

    private IdentityDescriptor ReadDescriptor()
    {
        IdentityDescriptor? descriptor;
        try
        {
            descriptor = JsonSerializer.Deserialize(File.ReadAllBytes(Path.Combine(PackagePath, DescriptorFile)), IdentityStore.DescriptorJson.Info<IdentityDescriptor>());
        }
        catch (JsonException)
        {
            descriptor = null;
        }

        if (descriptor is not { FormatVersion: 1, Origin: IdentityOrigin.Factory } || !FactorySerial.IsValid(descriptor.Serial))
        {
            throw new StartupException("The provisioning package's device.json is not a factory identity with a valid serial.");
        }

        return descriptor;
    }

    /// <summary>The station's key for this device if it made one, else the key this device made for its request.</summary>
    private ECDsa ReadKey()
    {
        var key = ECDsa.Create();
        var keyPath = Path.Combine(PackagePath, KeyFile);
        try
        {
            if (File.Exists(keyPath))
            {
                key.ImportFromPem(File.ReadAllText(keyPath));
                return key;
            }

            using var pending = vault.Unseal(PendingKeyItem);
            if (pending.Status != VaultReadStatus.Ok)
            {
                throw new StartupException("The provisioning package has no device key and this device made no signing request.");
            }

            key.ImportPkcs8PrivateKey(pending.Secret, out _);
            return key;
        }
        catch (CryptographicException ex)
        {
            key.Dispose();
            throw new StartupException("The provisioned device key is damaged.", ex);
        }
    }

    private byte[] ReadPasswordHash()
    {
        var bytes = File.ReadAllBytes(Path.Combine(PackagePath, PasswordHashFile));
        try
        {
            var hash = JsonSerializer.Deserialize(bytes, IdentityJson.Default.ProvisionedPasswordHash);
            // An upper bound too: a hash of billions of iterations would make every sign-in take minutes.
            if (hash is { Hash.Length: 32, Salt.Length: >= 16, Iterations: >= 100_000 and <= 10_000_000 })
            {
                return bytes;
            }
        }
        catch (JsonException)
        {
        }

        throw new StartupException("The provisioning package's default-password hash is not a PBKDF2-SHA-256 hash this device accepts.");
    }

    /// <summary>The shape Accounts stores (Accounts/PasswordHasher.PasswordHash): checked here, read there.</summary>
    internal sealed record ProvisionedPasswordHash(byte[] Hash, byte[] Salt, int Iterations);
}
