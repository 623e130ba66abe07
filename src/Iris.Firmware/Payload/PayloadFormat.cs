using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Iris.Firmware.Payload;

/// <summary>
/// The encrypted update payload, format 1 (see README.md in this folder):
/// <code>
/// payload:    "IRFW" | 0x01 | bundle id (16) | chunk size (4) | chunk count (8) | plaintext length (8) | chunks…
/// chunk i:    ciphertext (chunk size, the last one shorter) | tag (16)
/// chunk list: the SHA-256 leaf hash of every chunk, in order (32 bytes each)
/// </code>
/// AES-256-GCM per chunk under the release key; nonce = chunk index; associated data = bundle id, index, chunk
/// count and a last-chunk flag, so truncation, reordering and substitution between bundles all fail. The root
/// of a hash tree over the chunk list is what the signed metadata pins.
/// </summary>
public static class PayloadFormat
{
    public const int HeaderLength = 4 + 1 + 16 + 4 + 8 + 8;
    public const int TagLength = 16;
    public const int DefaultChunkSize = 1 << 20;
    public const int MaxChunkSize = 16 << 20;
    private static ReadOnlySpan<byte> Magic => "IRFW"u8;

    public static byte[] Header(ReadOnlySpan<byte> bundleId, int chunkSize, long chunkCount, long plaintextLength)
    {
        var header = new byte[HeaderLength];
        Magic.CopyTo(header);
        header[4] = 1;
        bundleId.CopyTo(header.AsSpan(5));
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(21), chunkSize);
        BinaryPrimitives.WriteInt64BigEndian(header.AsSpan(25), chunkCount);
        BinaryPrimitives.WriteInt64BigEndian(header.AsSpan(33), plaintextLength);
        return header;
    }

    public static PayloadHeader? ParseHeader(ReadOnlySpan<byte> header)
    {
        if (header.Length < HeaderLength || !header[..4].SequenceEqual(Magic) || header[4] != 1)
        {
            return null;
        }

        var chunkSize = BinaryPrimitives.ReadInt32BigEndian(header[21..]);
        var chunkCount = BinaryPrimitives.ReadInt64BigEndian(header[25..]);
        var length = BinaryPrimitives.ReadInt64BigEndian(header[33..]);
        if (chunkSize is < 4096 or > MaxChunkSize || chunkCount < 1 || length < 1 || length > chunkCount * (long)chunkSize
            || length <= (chunkCount - 1) * (long)chunkSize)
        {
            return null;
        }

        return new PayloadHeader(header.Slice(5, 16).ToArray(), chunkSize, chunkCount, length);
    }

    public const int NonceLength = 12;
    public const int AssociatedDataLength = 10 + 16 + 8 + 8 + 1;

    public static byte[] Nonce(long index)
    {
        var nonce = new byte[NonceLength];
        WriteNonce(index, nonce);
        return nonce;
    }

    /// <summary>Writes the nonce of chunk <paramref name="index"/>: 4 zero bytes, then the index (big endian).</summary>
    public static void WriteNonce(long index, Span<byte> nonce)
    {
        nonce[..4].Clear();
        BinaryPrimitives.WriteInt64BigEndian(nonce[4..], index);
    }

    public static byte[] AssociatedData(ReadOnlySpan<byte> bundleId, long index, long chunkCount)
    {
        var data = new byte[AssociatedDataLength];
        WriteAssociatedData(bundleId, index, chunkCount, data);
        return data;
    }

    /// <summary>Writes the associated data of chunk <paramref name="index"/> (no allocation on the install path).</summary>
    public static void WriteAssociatedData(ReadOnlySpan<byte> bundleId, long index, long chunkCount, Span<byte> data)
    {
        "iris-fw/v1"u8.CopyTo(data);
        bundleId.CopyTo(data[10..]);
        BinaryPrimitives.WriteInt64BigEndian(data[26..], index);
        BinaryPrimitives.WriteInt64BigEndian(data[34..], chunkCount);
        data[42] = index == chunkCount - 1 ? (byte)1 : (byte)0;
    }

    /// <summary>Leaf hash of one encrypted chunk (ciphertext and tag), domain-separated from inner nodes.</summary>
    public static byte[] LeafHash(long index, ReadOnlySpan<byte> ciphertextAndTag)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var leaf = new byte[32];
        LeafHash(hash, index, ciphertextAndTag, leaf);
        return leaf;
    }

    /// <summary>The same, with a reusable hash object and output, so a long install allocates nothing per chunk.</summary>
    public static void LeafHash(IncrementalHash hash, long index, ReadOnlySpan<byte> ciphertextAndTag, Span<byte> leaf)
    {
        Span<byte> prefix = stackalloc byte[9];
        prefix[0] = 0x00;
        BinaryPrimitives.WriteInt64BigEndian(prefix[1..], index);
        hash.AppendData(prefix);
        hash.AppendData(ciphertextAndTag);
        hash.GetHashAndReset(leaf);
    }

    /// <summary>Root of the binary hash tree over the leaves (an odd node is carried up unchanged).</summary>
    public static byte[] TreeRoot(IReadOnlyList<byte[]> leaves)
    {
        if (leaves.Count == 0)
        {
            throw new ArgumentException("A payload has at least one chunk.", nameof(leaves));
        }

        var level = leaves.ToList();
        while (level.Count > 1)
        {
            var next = new List<byte[]>((level.Count + 1) / 2);
            for (var i = 0; i < level.Count; i += 2)
            {
                if (i + 1 == level.Count)
                {
                    next.Add(level[i]);
                    continue;
                }

                var node = new byte[65];
                node[0] = 0x01;
                level[i].CopyTo(node, 1);
                level[i + 1].CopyTo(node, 33);
                next.Add(SHA256.HashData(node));
            }

            level = next;
        }

        return level[0];
    }
}

/// <summary>The parsed payload header.</summary>
public sealed record PayloadHeader(byte[] BundleId, int ChunkSize, long ChunkCount, long PlaintextLength)
{
    public int CiphertextLength(long index) =>
        index == ChunkCount - 1 ? (int)(PlaintextLength - ((ChunkCount - 1) * (long)ChunkSize)) : ChunkSize;
}
