using System.Security.Cryptography;
using Iris.Camera.Identity;
using Iris.Camera.Storage;
using Iris.Camera.Vault;

namespace Iris.Bench;

/// <summary>Unseals a bench device's key into a PEM file (0600) for the reference server. Bench machines only.</summary>
internal static class DeviceKeyExport
{
    public static int Run(string dataDirectory, string output)
    {
        var data = DataDirectory.Open(dataDirectory);
        using var provider = FileStorageKeyProvider.OpenOrCreate(data.StorageKeyFile, sealedItemsExist: true);
        var vault = new SecretVault(data.VaultDirectory, provider);
        var read = vault.Unseal(IdentityStore.PrivateKeyItem);
        if (read.Status != VaultReadStatus.Ok)
        {
            Console.Error.WriteLine($"export-device-key: {read.Failure}");
            return 1;
        }

        using var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(read.Secret, out _);
        read.Dispose();
        File.WriteAllText(output, key.ExportPkcs8PrivateKeyPem() + "\n");
        File.SetUnixFileMode(output, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return 0;
    }
}
