using System.Text.RegularExpressions;
using Iris.Camera.Platform;

namespace Iris.Camera.Vault;

/// <summary>
/// The one place secrets rest on disk: each item is a file "NAME.sealed" under the vault directory, sealed with
/// AES-256-GCM (see <see cref="SealedItem"/>) and replaced atomically. Names are restricted so a name can never
/// address a file outside the vault.
/// </summary>
internal sealed partial class SecretVault
{
    public const string FileExtension = ".sealed";

    private readonly string _directory;
    private readonly IStorageKeyProvider _provider;
    private readonly Lock _writeLock = new();

    public SecretVault(string directory, IStorageKeyProvider provider)
    {
        _directory = directory;
        _provider = provider;
        Directory.CreateDirectory(directory, AtomicFile.OwnerOnly | UnixFileMode.UserExecute);
        AtomicFile.RemoveInterruptedWrites(directory);
    }

    public string ProviderId => _provider.Id;

    /// <summary>
    /// Set when the storage key moved to another provider: the modules that keep data keys of their own in the
    /// vault (the recordings key) replace them at their next start, so nothing protected by a key the old provider
    /// could open stays protected by it.
    /// </summary>
    public bool RotationRequested => File.Exists(Path.Combine(_directory, RotationMarker));

    public void RequestRotation() => AtomicFile.Write(Path.Combine(_directory, RotationMarker), "rotate"u8);

    public void RotationDone() => AtomicFile.DeleteDurably(Path.Combine(_directory, RotationMarker));

    private const string RotationMarker = "rotation.pending";

    /// <summary>
    /// The database field keys (names without <see cref="VaultDataKeys.ItemPrefix"/>) still to be replaced after
    /// the storage key moved, in the order they are replaced; null when no replacement is pending.
    /// </summary>
    public IReadOnlyList<string>? DataKeysToRotate()
    {
        var path = Path.Combine(_directory, DataKeyRotationMarker);
        return File.Exists(path)
            ? File.ReadAllLines(path).Where(n => n.Length > 0).ToList()
            : null;
    }

    /// <summary>Records the field keys still to be replaced (durably); an empty list ends the rotation.</summary>
    public void SetDataKeysToRotate(IReadOnlyCollection<string> names)
    {
        var path = Path.Combine(_directory, DataKeyRotationMarker);
        if (names.Count == 0)
        {
            AtomicFile.DeleteDurably(path);
            return;
        }

        AtomicFile.Write(path, System.Text.Encoding.UTF8.GetBytes(string.Join('\n', names) + "\n"));
    }

    private const string DataKeyRotationMarker = "data-keys.rotation";

    public static bool HasSealedItems(string directory) =>
        Directory.Exists(directory) && Directory.EnumerateFiles(directory, "*" + FileExtension).Any();

    /// <summary>Names of the items whose envelope says <paramref name="providerId"/> sealed them.</summary>
    public static IReadOnlyList<string> ItemsSealedBy(string directory, string providerId) =>
        !Directory.Exists(directory)
            ? []
            : [.. Directory.EnumerateFiles(directory, "*" + FileExtension)
                .Where(f => SealedItem.ProviderIdOf(File.ReadAllBytes(f)) == providerId)
                .Select(f => Path.GetFileName(f)[..^FileExtension.Length])
                .Order(StringComparer.Ordinal)];

    /// <summary>
    /// Re-seals every item sealed by <paramref name="source"/> under this vault's provider, one atomic write each,
    /// so a crash leaves each item readable by one of the two; running it again finishes the job. An item that
    /// does not open is left as it is and reported.
    /// </summary>
    public (int Migrated, IReadOnlyList<string> Failed) MigrateFrom(IStorageKeyProvider source, Action<string>? reached = null)
    {
        var failed = new List<string>();
        var migrated = 0;
        foreach (var name in ItemsSealedBy(_directory, source.Id))
        {
            using var read = SealedItem.Open(name, File.ReadAllBytes(PathOf(name)), source);
            if (read.Status != VaultReadStatus.Ok)
            {
                failed.Add($"{name}: {read.Failure}");
                continue;
            }

            Seal(name, read.Secret);
            migrated++;
            reached?.Invoke("re-sealed " + name);
        }

        return (migrated, failed);
    }

    public static bool IsValidName(string name) => ItemName().IsMatch(name);

    private static FileStream? OpenForShredding(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    public void Seal(string name, ReadOnlySpan<byte> secret)
    {
        var path = PathOf(name);
        var item = SealedItem.Seal(name, secret, _provider);
        lock (_writeLock)
        {
            // The replaced item is held open across the rename and then overwritten through that handle: a rename
            // alone frees its blocks whole, so a replaced secret (an old stream password, a data key sealed under
            // the old provider) would stay carvable under the live key. Overwriting only after the new item is
            // durable keeps the write crash-safe: a crash in between leaves the new item and, at worst, old bytes.
            using var replaced = OpenForShredding(path);
            AtomicFile.Write(path, item);
            if (replaced is not null)
            {
                Storage.Shredder.OverwriteRange(replaced, 0, checked((int)replaced.Length));
            }
        }
    }

    public VaultRead Unseal(string name)
    {
        var path = PathOf(name);
        byte[] item;
        try
        {
            item = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            return VaultRead.Missing();
        }

        return SealedItem.Open(name, item, _provider);
    }

    public bool Contains(string name) => File.Exists(PathOf(name));

    /// <summary>
    /// Whether an item opens, for health checks: null when it does, else why not. The secret is zeroed before this
    /// returns; nothing outside the vault sees it.
    /// </summary>
    public string? ProblemOpening(string name)
    {
        using var read = Unseal(name);
        return read.Status == VaultReadStatus.Ok ? null : read.Failure;
    }

    /// <summary>Overwrites the item in place, syncs, and removes it, so its blocks do not keep the sealed bytes.</summary>
    public void Delete(string name)
    {
        lock (_writeLock)
        {
            Storage.Shredder.Destroy(PathOf(name));
        }
    }

    public IReadOnlyList<string> List() =>
        [.. Directory.EnumerateFiles(_directory, "*" + FileExtension)
            .Select(f => Path.GetFileName(f)[..^FileExtension.Length])
            .Where(IsValidName)
            .Order(StringComparer.Ordinal)];

    private string PathOf(string name)
    {
        if (!IsValidName(name))
        {
            throw new ArgumentException($"'{name}' is not a valid vault item name.", nameof(name));
        }

        return Path.Combine(_directory, name + FileExtension);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_.-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex ItemName();
}
