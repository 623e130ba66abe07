using System.Security.Cryptography;
using Iris.Camera.Storage;

namespace Iris.Camera.Media;

/// <summary>
/// The only copy of every segment's wrapped key: <c>recordings/keys/segment.slots</c>, a file of fixed 96-byte
/// slots that is only ever written in place (never renamed, truncated or rewritten whole), so a slot erased with
/// zeros and fsynced leaves no older copy of that wrapped key in a free block. Slot layout:
/// <code>
/// 0x01 | segment id (16) | nonce (12) | tag (16) | segment key encrypted with the recordings key (32) | zeros (19)
/// </code>
/// A free slot is all zeros and is reused before the file grows. Not thread-safe: <see cref="RecordingsKey"/>
/// calls it under its lock.
/// </summary>
internal sealed class SegmentKeyTable(string path) : IDisposable
{
    public const int SlotLength = 96;
    public const int WrappedLength = 12 + 16 + 32;
    private const byte InUse = 1;

    private FileStream? _stream;
    private Dictionary<string, long>? _slots;
    private SortedSet<long>? _free;

    public string Path { get; } = path;

    /// <summary>The wrapped key stored for a segment, or null when it has none (never had one, or was erased).</summary>
    public byte[]? Find(ReadOnlySpan<byte> segmentId)
    {
        if (!Load().TryGetValue(Convert.ToHexStringLower(segmentId), out var slot))
        {
            return null;
        }

        var bytes = ReadSlot(slot);
        return bytes.AsSpan(1 + 16, WrappedLength).ToArray();
    }

    /// <summary>Stores a segment's wrapped key in a free slot (or a new one at the end) and makes it durable.</summary>
    public void Add(ReadOnlySpan<byte> segmentId, ReadOnlySpan<byte> wrapped)
    {
        var slots = Load();
        var stream = Stream();
        long slot;
        if (_free!.Count > 0)
        {
            slot = _free.Min;
            _free.Remove(slot);
        }
        else
        {
            slot = stream.Length / SlotLength;
        }

        var bytes = new byte[SlotLength];
        bytes[0] = InUse;
        segmentId.CopyTo(bytes.AsSpan(1));
        wrapped.CopyTo(bytes.AsSpan(1 + 16));
        stream.Position = slot * SlotLength;
        stream.Write(bytes);
        stream.Flush(flushToDisk: true);
        slots[Convert.ToHexStringLower(segmentId)] = slot;
    }

    /// <summary>Overwrites a segment's slot with zeros in place and syncs: from here the segment's key exists nowhere.</summary>
    public void Erase(ReadOnlySpan<byte> segmentId)
    {
        var slots = Load();
        var id = Convert.ToHexStringLower(segmentId);
        if (!slots.Remove(id, out var slot))
        {
            return;
        }

        Shredder.OverwriteRange(Stream(), slot * SlotLength, SlotLength);
        _free!.Add(slot);
    }

    /// <summary>
    /// Rewrites every slot in place with what <paramref name="rewrap"/> returns for it (the same length; null keeps
    /// the slot as it is), then syncs once. Used to move every segment key under a new recordings key.
    /// </summary>
    public int RewrapAll(Func<byte[], byte[], byte[]?> rewrap)
    {
        var stream = Stream();
        var count = 0;
        foreach (var (id, slot) in Load())
        {
            var bytes = ReadSlot(slot);
            if (rewrap(Convert.FromHexString(id), bytes.AsSpan(1 + 16, WrappedLength).ToArray()) is not { } wrapped)
            {
                continue;
            }

            wrapped.CopyTo(bytes.AsSpan(1 + 16));
            stream.Position = slot * SlotLength;
            stream.Write(bytes);
            count++;
        }

        stream.Flush(flushToDisk: true);
        return count;
    }

    /// <summary>Erases the slot of every segment not in <paramref name="keep"/> (start-up recovery after a crash).</summary>
    public void EraseAllExcept(IReadOnlySet<string> keep)
    {
        foreach (var id in Load().Keys.Where(id => !keep.Contains(id)).ToList())
        {
            Erase(Convert.FromHexString(id));
        }
    }

    /// <summary>Overwrites the whole table in place, syncs, and removes it ("delete all", factory reset).</summary>
    public void Destroy()
    {
        Close();
        Shredder.Destroy(Path);
    }

    public void Dispose() => Close();

    private void Close()
    {
        _stream?.Dispose();
        _stream = null;
        _slots = null;
        _free = null;
    }

    private FileStream Stream()
    {
        if (_stream is null)
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var created = !File.Exists(Path);
            _stream = new FileStream(Path, new FileStreamOptions
            {
                Mode = FileMode.OpenOrCreate,
                Access = FileAccess.ReadWrite,
                Share = FileShare.Read,
                UnixCreateMode = Platform.AtomicFile.OwnerOnly,
            });
            if (created)
            {
                Platform.NativeMethods.FsyncDirectory(System.IO.Path.GetDirectoryName(Path)!);
            }
        }

        return _stream;
    }

    private Dictionary<string, long> Load()
    {
        if (_slots is not null)
        {
            return _slots;
        }

        _slots = new Dictionary<string, long>(StringComparer.Ordinal);
        _free = [];
        if (!File.Exists(Path))
        {
            return _slots;
        }

        var stream = Stream();
        var count = stream.Length / SlotLength;
        for (long slot = 0; slot < count; slot++)
        {
            var bytes = ReadSlot(slot);
            if (bytes[0] == InUse)
            {
                _slots[Convert.ToHexStringLower(bytes.AsSpan(1, 16))] = slot;
            }
            else
            {
                _free.Add(slot);
            }
        }

        return _slots;
    }

    private byte[] ReadSlot(long slot)
    {
        var bytes = new byte[SlotLength];
        var stream = Stream();
        stream.Position = slot * SlotLength;
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>Wraps a segment key with the recordings key; the associated data binds it to its segment.</summary>
    public static byte[] Wrap(ReadOnlySpan<byte> recordingsKey, ReadOnlySpan<byte> segmentId, ReadOnlySpan<byte> segmentKey)
    {
        var wrapped = new byte[WrappedLength];
        RandomNumberGenerator.Fill(wrapped.AsSpan(0, 12));
        using var aead = new AesGcm(recordingsKey, 16);
        aead.Encrypt(wrapped.AsSpan(0, 12), segmentKey, wrapped.AsSpan(28, 32), wrapped.AsSpan(12, 16), AssociatedData(segmentId));
        return wrapped;
    }

    /// <summary>The segment key, or null when the wrapped bytes do not authenticate under this recordings key.</summary>
    public static byte[]? Unwrap(ReadOnlySpan<byte> recordingsKey, ReadOnlySpan<byte> segmentId, ReadOnlySpan<byte> wrapped)
    {
        var key = new byte[32];
        try
        {
            using var aead = new AesGcm(recordingsKey, 16);
            aead.Decrypt(wrapped[..12], wrapped.Slice(28, 32), wrapped.Slice(12, 16), key, AssociatedData(segmentId));
            return key;
        }
        catch (AuthenticationTagMismatchException)
        {
            CryptographicOperations.ZeroMemory(key);
            return null;
        }
    }

    private static byte[] AssociatedData(ReadOnlySpan<byte> segmentId) => [.. "iris-segment-key/v2\0"u8, .. segmentId];
}
