using Iris.Camera.Platform;
using Iris.Camera.Storage;

namespace Iris.Camera.Vault;

/// <summary>The storage key provider in use and the vault sealed with it; disposing it closes the provider (a token session).</summary>
internal sealed record OpenedVault(IStorageKeyProvider Provider, SecretVault Vault) : IDisposable
{
    public void Dispose() => Provider.Dispose();
}

/// <summary>
/// Opens the configured storage key provider and, when a device moves from the file provider to a token, migrates
/// its sealed items: each is re-sealed under the token, and only when none is left under the file key is the key
/// file deleted. A crash part-way is finished at the next start.
/// </summary>
internal static partial class StorageKeys
{
    /// <param name="reached">Told each step of a migration as it completes (crash tests kill the process there).</param>
    public static OpenedVault Open(VaultOptions options, DataDirectory data, ILogger logger, Action<string>? reached = null)
    {
        if (options.Provider == FileStorageKeyProvider.ProviderId)
        {
            if (SecretVault.ItemsSealedBy(data.VaultDirectory, Pkcs11StorageKeyProvider.ProviderId).Count > 0)
            {
                throw new StartupException("Sealed items belong to a PKCS#11 token, but the file key provider is configured; " +
                    $"set {VaultOptions.SectionName}:Provider to pkcs11.", StartupException.ConfigurationError);
            }

            var file = FileStorageKeyProvider.OpenOrCreate(data.StorageKeyFile, SecretVault.HasSealedItems(data.VaultDirectory));
            return new OpenedVault(file, new SecretVault(data.VaultDirectory, file));
        }

        var token = Pkcs11StorageKeyProvider.Open(options.Pkcs11,
            SecretVault.ItemsSealedBy(data.VaultDirectory, Pkcs11StorageKeyProvider.ProviderId).Count > 0);
        var vault = new SecretVault(data.VaultDirectory, token);
        var fileItems = SecretVault.ItemsSealedBy(data.VaultDirectory, FileStorageKeyProvider.ProviderId);
        if (File.Exists(data.StorageKeyFile))
        {
            using var legacy = FileStorageKeyProvider.OpenOrCreate(data.StorageKeyFile, sealedItemsExist: true);
            var (migrated, failed) = vault.MigrateFrom(legacy, reached);
            if (failed.Count > 0)
            {
                throw new StartupException("Moving the vault to the PKCS#11 token stopped; these items do not open with the file key:\n  "
                    + string.Join("\n  ", failed));
            }

            // Both before the key file goes: a crash after it must still replace every key sealed under it.
            DataKeyRotation.Request(vault);
            vault.RequestRotation();
            reached?.Invoke("rotation requested");
            Shredder.Destroy(data.StorageKeyFile);
            reached?.Invoke("file key destroyed");
            LogMigrated(logger, migrated);
        }
        else if (fileItems.Count > 0)
        {
            throw new StartupException($"{fileItems.Count} sealed item(s) need the file storage key, which is missing: {string.Join(", ", fileItems)}.");
        }

        return new OpenedVault(token, vault);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Vault moved to the PKCS#11 token: {Count} item(s) re-sealed; the storage key file was deleted.")]
    private static partial void LogMigrated(ILogger logger, int count);
}
