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

    public static bool HasSealedItems(string directory) =>
        Directory.Exists(directory) && Directory.EnumerateFiles(directory, "*" + FileExtension).Any();

    public static bool IsValidName(string name) => ItemName().IsMatch(name);

    public void Seal(string name, ReadOnlySpan<byte> secret)
    {
        var path = PathOf(name);
        var item = SealedItem.Seal(name, secret, _provider);
        lock (_writeLock)
        {
            AtomicFile.Write(path, item);
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

    public void Delete(string name)
    {
        lock (_writeLock)
        {
            AtomicFile.DeleteDurably(PathOf(name));
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
