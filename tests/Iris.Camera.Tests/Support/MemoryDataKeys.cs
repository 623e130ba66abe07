using System.Security.Cryptography;
using Iris.Camera.Storage;

namespace Iris.Camera.Tests.Support;

/// <summary>Field keys kept in memory, for tests that compose the event log or the stores without a vault.</summary>
internal sealed class MemoryDataKeys : IDataKeys
{
    private readonly Dictionary<string, FieldKey> _keys = new(StringComparer.Ordinal);

    public FieldKey Get(string name)
    {
        lock (_keys)
        {
            if (!_keys.TryGetValue(name, out var key))
            {
                key = new FieldKey(RandomNumberGenerator.GetBytes(32));
                _keys[name] = key;
            }

            return key;
        }
    }

    public FieldKey? Find(string name)
    {
        lock (_keys)
        {
            return _keys.GetValueOrDefault(name);
        }
    }

    public void Destroy(string name)
    {
        lock (_keys)
        {
            _keys.Remove(name);
        }
    }

    public IReadOnlyList<string> Names(string prefix)
    {
        lock (_keys)
        {
            return [.. _keys.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal)];
        }
    }
}
