using System.Security.Cryptography;
using Iris.Camera.Vault;

namespace Iris.Camera.Media;

/// <summary>
/// Holds the recordings master key (vault item <c>recordings-key</c>) and the segment key table it protects:
/// each segment gets a random key whose only copy is wrapped by the master key in one slot of
/// <see cref="SegmentKeyTable"/>. Erasing that slot in place erases the segment, even from a copy of the disk
/// taken while the master key lives; "delete all" destroys the table and the master key.
/// </summary>
internal sealed class RecordingsKey(SecretVault vault, SegmentFiles files) : IDisposable
{
    public const string VaultItem = "recordings-key";
    public const string NextVaultItem = "recordings-key.next";
    private readonly Lock _lock = new();
    private readonly SegmentKeyTable _table = new(Path.Combine(files.Directory, "keys", "segment.slots"));
    private SecretBuffer? _key;

    /// <summary>A new random key for a segment, stored wrapped (and synced) before it is returned; the caller zeroes it after use.</summary>
    public byte[] NewSegmentKey(ReadOnlySpan<byte> segmentId)
    {
        var segmentKey = RandomNumberGenerator.GetBytes(32);
        lock (_lock)
        {
            _table.Add(segmentId, SegmentKeyTable.Wrap(MasterKeyLocked().Span, segmentId, segmentKey));
        }

        return segmentKey;
    }

    /// <summary>Reads every record of a segment file's content that authenticates under its key.</summary>
    public (List<RecordedFrame> Frames, SegmentFormat.ReadProblem Problem, long ValidLength) Open(ReadOnlySpan<byte> content)
    {
        if (SegmentFormat.ParseHeader(content) is not { } header)
        {
            return ([], SegmentFormat.ReadProblem.NotASegment, 0);
        }

        byte[]? key;
        lock (_lock)
        {
            // A copy, so that Destroy may zero the held key while a long read is still running.
            key = header.Version == SegmentFormat.DerivedKeyVersion
                ? MasterKeyLocked().Span.ToArray()
                : _table.Find(header.SegmentId) is { } wrapped ? SegmentKeyTable.Unwrap(MasterKeyLocked().Span, header.SegmentId, wrapped) : null;
        }

        if (key is null)
        {
            return ([], SegmentFormat.ReadProblem.Damaged, 0);
        }

        try
        {
            return SegmentFormat.Read(content, key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>
    /// Seals one still picture (a motion event's thumbnail) as a one-record segment under a key derived from the
    /// master key and a fresh id: it opens with <see cref="Open"/>, it has no slot for start-up recovery to erase
    /// (recovery erases every slot the recordings index does not know), and it goes with the master key when every
    /// recording is deleted.
    /// </summary>
    public byte[] SealStill(DateTimeOffset capturedAt, ReadOnlySpan<byte> jpeg)
    {
        var id = RandomNumberGenerator.GetBytes(16);
        byte[] key;
        lock (_lock)
        {
            key = SegmentFormat.DeriveSegmentKey(MasterKeyLocked().Span, id);
        }

        try
        {
            using var aead = new AesGcm(key, 16);
            return [.. SegmentFormat.Header(id, SegmentFormat.DerivedKeyVersion), .. SegmentFormat.SealRecord(aead, id, 0, capturedAt, jpeg)];
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Erases one segment's key in place; its file, wherever a copy of it lies, no longer decrypts.</summary>
    public void EraseSegmentKey(string file)
    {
        if (SegmentIdOf(file) is not { } segmentId)
        {
            return;
        }

        lock (_lock)
        {
            _table.Erase(segmentId);
        }
    }

    /// <summary>Erases the key of every segment whose file name is not in <paramref name="keep"/> (recovery after a crash).</summary>
    public void EraseKeysExcept(IReadOnlySet<string> keep)
    {
        lock (_lock)
        {
            _table.EraseAllExcept(keep.Select(SegmentIdOf).OfType<byte[]>().Select(Convert.ToHexStringLower).ToHashSet(StringComparer.Ordinal));
        }
    }

    /// <summary>
    /// Forgets the key in memory, overwrites the segment key table and the sealed master key in place and removes
    /// them; the next segment gets a new master key.
    /// </summary>
    public void Destroy()
    {
        lock (_lock)
        {
            Forget();
            _table.Destroy();
            vault.Delete(VaultItem);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            Forget();
            _table.Dispose();
        }
    }

    /// <summary>
    /// Replaces the recordings key by a new one and re-wraps every segment key under it in place (no video is
    /// re-encrypted), so that nothing sealed before (a copy of the old sealed key, opened with an old storage key)
    /// opens a segment any more. Resumable after a crash at any point: the new key is sealed as
    /// <see cref="NextVaultItem"/> first, a slot that does not open under the old key is taken as already moved,
    /// and the old key is replaced only when every slot is under the new one.
    /// </summary>
    /// <param name="reached">Told each step as it completes (crash tests kill the process there).</param>
    public int Rotate(Action<string>? reached = null)
    {
        lock (_lock)
        {
            using var old = vault.Unseal(VaultItem);
            if (old.Status != VaultReadStatus.Ok)
            {
                return 0; // no recordings key yet: the next segment gets a fresh one anyway
            }

            SecretBuffer next;
            using (var staged = vault.Unseal(NextVaultItem))
            {
                if (staged.Status == VaultReadStatus.Ok)
                {
                    next = staged.TakeSecret();
                }
                else
                {
                    next = SecretBuffer.Random(32);
                    vault.Seal(NextVaultItem, next.Span);
                }
            }

            reached?.Invoke("next recordings key sealed");

            var oldKey = old.Secret.ToArray();
            var newKey = next.Span.ToArray();
            try
            {
                var moved = _table.RewrapAll((segmentId, wrapped) =>
                {
                    var segmentKey = SegmentKeyTable.Unwrap(oldKey, segmentId, wrapped);
                    if (segmentKey is null)
                    {
                        return null;
                    }

                    var rewrapped = SegmentKeyTable.Wrap(newKey, segmentId, segmentKey);
                    CryptographicOperations.ZeroMemory(segmentKey);
                    reached?.Invoke("segment key re-wrapped");
                    return rewrapped;
                });
                vault.Seal(VaultItem, newKey);
                reached?.Invoke("recordings key replaced");
                vault.Delete(NextVaultItem);
                Forget();
                _key = next;
                return moved;
            }
            finally
            {
                CryptographicOperations.ZeroMemory(oldKey);
                CryptographicOperations.ZeroMemory(newKey);
            }
        }
    }

    /// <summary>The segment id a segment's file name carries (hex of the id + ".seg"), or null for another name.</summary>
    private static byte[]? SegmentIdOf(string file)
    {
        var name = file.EndsWith(".seg", StringComparison.Ordinal) ? file[..^4] : file;
        return name.Length == 32 && name.All(char.IsAsciiHexDigitLower) ? Convert.FromHexString(name) : null;
    }

    /// <summary>
    /// Unsealed once, then kept. A damaged sealed key is an error, never replaced by a new one: that would
    /// silently make every existing segment unreadable.
    /// </summary>
    private SecretBuffer MasterKeyLocked()
    {
        if (_key is not null)
        {
            return _key;
        }

        using var read = vault.Unseal(VaultItem);
        if (read.Status == VaultReadStatus.Corrupt)
        {
            throw new CryptographicException($"The recordings key cannot be unsealed: {read.Failure}");
        }

        if (read.Status == VaultReadStatus.Ok)
        {
            _key = read.TakeSecret();
        }
        else
        {
            _key = SecretBuffer.Random(32);
            vault.Seal(VaultItem, _key.Span);
        }

        return _key;
    }

    private void Forget()
    {
        _key?.Dispose();
        _key = null;
    }
}
