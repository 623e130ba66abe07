using System.Collections.Concurrent;
using System.Security.Cryptography;
using Iris.Camera.Storage;

namespace Iris.Camera.Vault;

/// <summary>
/// The database's field keys, each a sealed item <c>data-key.NAME</c>: wrapped by the storage key like every other
/// secret, moved to a token with them, and destroyed by shredding the item. Kept open in memory once read, because
/// the request path (a session's account name) opens fields on every request.
/// </summary>
internal sealed class VaultDataKeys(SecretVault vault) : IDataKeys, IDisposable
{
    public const string ItemPrefix = "data-key.";

    /// <summary>The replacement of a key while its rows move to it (<see cref="DataKeyRotation"/>); outside the <see cref="ItemPrefix"/> names.</summary>
    public const string NextItemPrefix = "data-key-next.";
    private readonly ConcurrentDictionary<string, FieldKey> _open = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public FieldKey Get(string name) => Load(name, create: true)!;

    public FieldKey? Find(string name) => Load(name, create: false);

    private FieldKey? Load(string name, bool create)
    {
        if (_open.TryGetValue(name, out var key))
        {
            return key;
        }

        lock (_lock)
        {
            if (_open.TryGetValue(name, out key))
            {
                return key;
            }

            var item = ItemPrefix + name;
            using (var read = vault.Unseal(item))
            {
                if (read.Status == VaultReadStatus.Ok)
                {
                    key = new FieldKey(read.Secret);
                }
                else if (read.Status == VaultReadStatus.NotFound)
                {
                    if (!create)
                    {
                        return null;
                    }

                    var fresh = RandomNumberGenerator.GetBytes(32);
                    try
                    {
                        vault.Seal(item, fresh);
                        key = new FieldKey(fresh);
                    }
                    finally
                    {
                        CryptographicOperations.ZeroMemory(fresh);
                    }
                }
                else
                {
                    // Never replaced silently: a new key would orphan every field sealed with the old one.
                    throw new InvalidOperationException($"The database field key '{name}' does not open: {read.Failure}");
                }
            }

            _open[name] = key;
            return key;
        }
    }

    public void Destroy(string name)
    {
        lock (_lock)
        {
            vault.Delete(ItemPrefix + name);
            if (_open.TryRemove(name, out var key))
            {
                key.Dispose();
            }
        }
    }

    public IReadOnlyList<string> Names(string prefix) =>
        [.. vault.List().Where(n => n.StartsWith(ItemPrefix + prefix, StringComparison.Ordinal)).Select(n => n[ItemPrefix.Length..])];

    /// <summary>The replacement for the key named: made and sealed on first call, the same key after a crash.</summary>
    public FieldKey StageNext(string name)
    {
        var item = NextItemPrefix + name;
        using var read = vault.Unseal(item);
        if (read.Status == VaultReadStatus.Ok)
        {
            return new FieldKey(read.Secret);
        }

        if (read.Status != VaultReadStatus.NotFound)
        {
            throw new InvalidOperationException($"The staged field key '{name}' does not open: {read.Failure}");
        }

        var fresh = RandomNumberGenerator.GetBytes(32);
        try
        {
            vault.Seal(item, fresh);
            return new FieldKey(fresh);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(fresh);
        }
    }

    /// <summary>Whether a replacement is staged for the key named.</summary>
    public bool IsStaged(string name) => vault.Contains(NextItemPrefix + name);

    /// <summary>
    /// Once every row is under the staged key: the old key's item is overwritten in place and unlinked (a rename
    /// over it would leave it whole in free blocks), the staged key is sealed under the key's own name, and the
    /// staged item is shredded. A crash between the steps is finished by calling this again.
    /// </summary>
    public void CompleteRotation(string name)
    {
        lock (_lock)
        {
            using var staged = vault.Unseal(NextItemPrefix + name);
            if (staged.Status != VaultReadStatus.Ok)
            {
                throw new InvalidOperationException($"No staged field key '{name}' to complete its rotation: {staged.Failure}");
            }

            var item = ItemPrefix + name;
            using (var current = vault.Unseal(item))
            {
                if (current.Status != VaultReadStatus.Ok || !CryptographicOperations.FixedTimeEquals(current.Secret, staged.Secret))
                {
                    vault.Delete(item);
                    vault.Seal(item, staged.Secret);
                }
            }

            vault.Delete(NextItemPrefix + name);
            if (_open.TryRemove(name, out var key))
            {
                key.Dispose();
            }
        }
    }

    public void Dispose()
    {
        foreach (var key in _open.Values)
        {
            key.Dispose();
        }

        _open.Clear();
    }
}
