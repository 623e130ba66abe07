using System.Security.Cryptography;
using System.Text;
using Iris.Camera.Platform;
using Iris.Camera.Storage;
using Iris.Camera.Vault;

namespace Iris.Camera.Reset;

/// <summary>
/// Factory reset by crypto-erase (IoT-1005-1 5.7.1.1, 5.4.1.2). A request only writes <c>reset.pending</c> and
/// restarts the daemon; the reset itself runs at the next start, before the database or vault are opened, in
/// phases recorded in that marker so a power cut at any point is finished at the following start:
/// <list type="number">
/// <item><b>requested</b>: the items that make the device what it is (device key, update key, default-password
/// hash) are re-sealed into <c>vault.next</c> under a new storage key (<c>keys/storage.key.next</c>, or a new
/// token key).</item>
/// <item><b>staged</b>: the old storage key is destroyed (file deleted, or the token object destroyed). From here
/// nothing sealed before the reset can be opened.</item>
/// <item><b>erased</b>: the database, recordings, downloads and the old vault are deleted, and the new vault and
/// key take their places.</item>
/// </list>
/// The serial, certificate and device key survive; every account, session, recording, setting and log entry goes.
/// The owner account comes back at start with the factory default password, which must be changed.
/// </summary>
internal static partial class FactoryReset
{
    public const string MarkerFile = "reset.pending";
    private const string Requested = "requested";
    private const string Staged = "staged";
    private const string Erased = "erased";
    private const string NextTokenKeySuffix = "-next";

    /// <summary>The vault items that belong to the device, not to its owner; a reset keeps them.</summary>
    public static readonly IReadOnlyList<string> KeptItems = ["device-key", "update-key", Accounts.OwnerBootstrap.DefaultPasswordHashItem, Accounts.OwnerBootstrap.DefaultPasswordItem];

    public static string MarkerPath(DataDirectory data) => Path.Combine(data.Root, MarkerFile);

    public static bool IsPending(DataDirectory data) => File.Exists(MarkerPath(data));

    /// <summary>Records the request; the next start carries it out.</summary>
    public static void Request(DataDirectory data) => AtomicFile.Write(MarkerPath(data), Encoding.ASCII.GetBytes(Requested));

    /// <summary>Runs (or finishes) a pending reset. Returns true when one was carried out.</summary>
    public static bool CompletePending(DataDirectory data, VaultOptions options, ILogger logger)
    {
        if (!IsPending(data))
        {
            return false;
        }

        var phase = File.ReadAllText(MarkerPath(data)).Trim();
        var vaultNext = data.VaultDirectory + ".next";
        var keyNext = data.StorageKeyFile + ".next";
        var usesToken = options.Provider == Pkcs11StorageKeyProvider.ProviderId;
        if (phase == Requested)
        {
            StageKeptItems(data, options, vaultNext, keyNext, usesToken);
            SetPhase(data, Staged);
            phase = Staged;
        }

        if (phase == Staged)
        {
            DestroyOldKey(data, options, usesToken);
            SetPhase(data, Erased);
            phase = Erased;
        }

        if (phase != Erased)
        {
            throw new Platform.StartupException($"'{MarkerPath(data)}' holds an unknown reset phase '{phase}'.");
        }

        DeleteOwnerData(data);
        if (Directory.Exists(vaultNext))
        {
            Shredder.DestroyDirectory(data.VaultDirectory);

            Directory.Move(vaultNext, data.VaultDirectory);
        }

        if (usesToken)
        {
            RelabelTokenKey(options);
        }
        else if (File.Exists(keyNext))
        {
            File.Move(keyNext, data.StorageKeyFile, overwrite: true);
        }

        NativeMethods.FsyncDirectory(data.Root);
        AtomicFile.DeleteDurably(MarkerPath(data));
        LogReset(logger);
        return true;
    }

    private static void StageKeptItems(DataDirectory data, VaultOptions options, string vaultNext, string keyNext, bool usesToken)
    {
        if (Directory.Exists(vaultNext))
        {
            Directory.Delete(vaultNext, recursive: true);
        }

        var keep = new Dictionary<string, SecretBuffer>(StringComparer.Ordinal);
        using (var old = OpenProvider(data, options, usesToken, options.Pkcs11.KeyLabel))
        {
            var vault = new SecretVault(data.VaultDirectory, old);
            foreach (var name in KeptItems)
            {
                using var read = vault.Unseal(name);
                if (read.Status == VaultReadStatus.Ok)
                {
                    keep[name] = read.TakeSecret();
                }
            }
        }

        try
        {
            IStorageKeyProvider next;
            if (usesToken)
            {
                DestroyTokenKey(options, options.Pkcs11.KeyLabel + NextTokenKeySuffix);
                next = Pkcs11StorageKeyProvider.Open(WithLabel(options.Pkcs11, options.Pkcs11.KeyLabel + NextTokenKeySuffix), tokenSealedItemsExist: false);
            }
            else
            {
                if (File.Exists(keyNext))
                {
                    Shredder.Destroy(keyNext);
                }

                next = FileStorageKeyProvider.OpenOrCreate(keyNext, sealedItemsExist: false);
            }

            using (next)
            {
                var staged = new SecretVault(vaultNext, next);
                foreach (var (name, secret) in keep)
                {
                    staged.Seal(name, secret.Span);
                }
            }
        }
        finally
        {
            foreach (var secret in keep.Values)
            {
                secret.Dispose();
            }
        }
    }

    private static void DestroyOldKey(DataDirectory data, VaultOptions options, bool usesToken)
    {
        if (usesToken)
        {
            DestroyTokenKey(options, options.Pkcs11.KeyLabel);
        }
        else
        {
            // Overwritten in place before the name goes: an unlinked key file stays whole in free blocks.
            Shredder.Destroy(data.StorageKeyFile);
        }
    }

    private static void DeleteOwnerData(DataDirectory data)
    {
        // A pooled connection would keep the deleted database alive under its old inode.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        // Overwritten in place, not only unlinked: the database holds personal data in plaintext pages, and the
        // segment key table the only copies of the segment keys (see Storage/README.md).
        foreach (var file in new[] { data.DatabaseFile, data.DatabaseFile + "-wal", data.DatabaseFile + "-shm", data.DatabaseFile + "-journal" })
        {
            Shredder.Destroy(file);
        }

        foreach (var directory in new[] { Path.Combine(data.Root, "recordings"), data.UpdatesDirectory })
        {
            Shredder.DestroyDirectory(directory);
        }

        NativeMethods.FsyncDirectory(data.Root);
    }

    private static IStorageKeyProvider OpenProvider(DataDirectory data, VaultOptions options, bool usesToken, string label) =>
        usesToken
            ? Pkcs11StorageKeyProvider.Open(WithLabel(options.Pkcs11, label), tokenSealedItemsExist: true)
            : FileStorageKeyProvider.OpenOrCreate(data.StorageKeyFile, sealedItemsExist: true);

    private static Pkcs11VaultOptions WithLabel(Pkcs11VaultOptions options, string label) =>
        new() { Module = options.Module, TokenLabel = options.TokenLabel, PinFile = options.PinFile, KeyLabel = label };

    private static void DestroyTokenKey(VaultOptions options, string label) => Pkcs11StorageKeyProvider.DestroyIfPresent(WithLabel(options.Pkcs11, label));

    private static void RelabelTokenKey(VaultOptions options) =>
        Pkcs11StorageKeyProvider.Relabel(WithLabel(options.Pkcs11, options.Pkcs11.KeyLabel + NextTokenKeySuffix), options.Pkcs11.KeyLabel);

    private static void SetPhase(DataDirectory data, string phase) => AtomicFile.Write(MarkerPath(data), Encoding.ASCII.GetBytes(phase));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Factory reset completed: the old storage key was destroyed and the owner's data deleted; the device is unclaimed.")]
    private static partial void LogReset(ILogger logger);
}
