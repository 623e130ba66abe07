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

    public void Dispose()
    {
        foreach (var key in _open.Values)
        {
            key.Dispose();
        }

        _open.Clear();
    }
}
