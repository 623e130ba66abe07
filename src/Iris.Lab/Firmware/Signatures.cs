using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Iris.Lab.Firmware;

/// <summary>What a signature found in a flash dump says starts there.</summary>
internal enum PieceKind
{
    Gzip,
    Xz,
    Bzip2,
    Lzma,
    Zstd,
    Squashfs,
    UImage,
    Fit,
    Cpio,
    Tar,
    Jffs2,
    Ubi,
}

/// <summary>A validated signature: the kind, where it starts, and its length where the header states it.</summary>
internal sealed record SignatureHit(PieceKind Kind, long Offset, long? Length);

/// <summary>
/// Finds images inside a raw dump by their signatures at any offset, as binwalk does. A magic number alone is a few
/// bytes that compressed data holds by chance, so each hit is checked against the header that follows it (flag
/// bits, versions, sizes that fit in the file, the uImage header CRC, the tar header checksum) before anyone spends
/// time unpacking it; what survives may still fail to unpack, and then it is dropped.
/// </summary>
internal static class Signatures
{
    private const int HeaderBytes = 512;
    private const int Chunk = 1 << 20;
    private const int MaxHits = 512;

    private static readonly (PieceKind Kind, byte[] Magic, int MagicOffset)[] Magics =
    [
        (PieceKind.Gzip, [0x1F, 0x8B, 0x08], 0), (PieceKind.Xz, [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00], 0), (PieceKind.Bzip2, "BZh"u8.ToArray(), 0),
        (PieceKind.Lzma, [0x5D, 0x00, 0x00], 0), (PieceKind.Zstd, [0x28, 0xB5, 0x2F, 0xFD], 0), (PieceKind.Squashfs, "hsqs"u8.ToArray(), 0),
        (PieceKind.UImage, [0x27, 0x05, 0x19, 0x56], 0), (PieceKind.Fit, [0xD0, 0x0D, 0xFE, 0xED], 0), (PieceKind.Cpio, "07070"u8.ToArray(), 0),
        (PieceKind.Tar, "ustar"u8.ToArray(), 257), (PieceKind.Jffs2, [0x85, 0x19], 0), (PieceKind.Jffs2, [0x19, 0x85], 0), (PieceKind.Ubi, "UBI#"u8.ToArray(), 0),
    ];

    /// <summary>Every validated hit in the file (or only one at offset 0), in file order, at most <see cref="MaxHits"/>.</summary>
    public static IReadOnlyList<SignatureHit> Find(string path, bool anyOffset)
    {
        using var file = File.OpenHandle(path);
        var length = RandomAccess.GetLength(file);
        var hits = new SortedDictionary<long, SignatureHit>();
        // Files inside an unpacked file system are only looked at from their start: a small buffer for each of thousands.
        var buffer = new byte[anyOffset ? (int)Math.Min(Chunk + HeaderBytes, Math.Max(length, HeaderBytes)) : HeaderBytes];
        var header = new byte[HeaderBytes];
        for (long start = 0; start < length && hits.Count < MaxHits; start += Chunk)
        {
            var read = RandomAccess.Read(file, buffer, start);
            var span = buffer.AsSpan(0, read);
            foreach (var (kind, magic, magicOffset) in Magics)
            {
                if (!anyOffset)
                {
                    if (span.Length > magicOffset && span[magicOffset..].StartsWith(magic) && !hits.ContainsKey(0) && Validate(kind, file, 0, length, header) is { } first)
                    {
                        hits[0] = first;
                    }

                    continue;
                }

                for (var index = span.IndexOf(magic); index >= 0 && index < Chunk; index = Next(span, magic, index))
                {
                    var offset = start + index - magicOffset;
                    // JFFS2 has a header per node and UBI one per erase block: the first marks the file system, and
                    // thousands more would crowd the images after it out of the hit list.
                    if (offset >= 0 && !hits.ContainsKey(offset) && !(kind is PieceKind.Jffs2 or PieceKind.Ubi && hits.Values.Any(h => h.Kind == kind))
                        && Validate(kind, file, offset, length, header) is { } hit)
                    {
                        hits[offset] = hit;
                    }
                }
            }

            if (!anyOffset)
            {
                break;
            }
        }

        return [.. hits.Values.Take(MaxHits)];
    }

    private static int Next(ReadOnlySpan<byte> span, byte[] magic, int index)
    {
        var next = span[(index + 1)..].IndexOf(magic);
        return next < 0 ? -1 : index + 1 + next;
    }

    private static SignatureHit? Validate(PieceKind kind, SafeFileHandle file, long offset, long length, byte[] header)
    {
        var h = header.AsSpan(0, RandomAccess.Read(file, header, offset));
        var left = length - offset;
        return kind switch
        {
            // FTEXT..FCOMMENT only; the three reserved flag bits must be clear (RFC 1952).
            PieceKind.Gzip when h.Length >= 10 && (h[3] & 0xE0) == 0 => new(kind, offset, null),
            PieceKind.Xz when h.Length >= 12 => new(kind, offset, null),
            PieceKind.Bzip2 when h.Length >= 10 && h[3] is >= (byte)'1' and <= (byte)'9' && h[4..10].SequenceEqual((ReadOnlySpan<byte>)[0x31, 0x41, 0x59, 0x26, 0x53, 0x59]) => new(kind, offset, null),
            PieceKind.Lzma when h.Length >= 13 && LzmaHeader(h) => new(kind, offset, null),
            // Frame header descriptor: the reserved bit (3) is clear.
            PieceKind.Zstd when h.Length >= 6 && (h[4] & 0x08) == 0 => new(kind, offset, null),
            PieceKind.Squashfs when h.Length >= 96 && BinaryPrimitives.ReadUInt16LittleEndian(h[28..]) == 4
                && BinaryPrimitives.ReadInt64LittleEndian(h[40..]) is var used && used >= 96 && used <= left => new(kind, offset, used),
            PieceKind.UImage when h.Length >= 64 && UImageHeader(h) is var size && size > 0 && 64 + size <= left => new(kind, offset, 64 + size),
            // A flattened device tree (FIT image): total size, then version 17 at offset 20.
            PieceKind.Fit when h.Length >= 40 && BinaryPrimitives.ReadUInt32BigEndian(h[4..]) is var total && total >= 40 && total <= left
                && BinaryPrimitives.ReadUInt32BigEndian(h[20..]) == 17 => new(kind, offset, total),
            PieceKind.Cpio when h.Length >= 110 && h[5] is (byte)'1' or (byte)'2' && IsHex(h[6..110]) => new(kind, offset, null),
            PieceKind.Tar when h.Length >= 512 && TarChecksum(h) => new(kind, offset, null),
            // JFFS2 node header: magic, then a node type with the "compat" bits set as real nodes have them.
            PieceKind.Jffs2 when h.Length >= 12 && (h[0] == 0x85 ? BinaryPrimitives.ReadUInt16LittleEndian(h[2..]) : BinaryPrimitives.ReadUInt16BigEndian(h[2..])) is 0xE001 or 0xE002 or 0x2003 => new(kind, offset, null),
            PieceKind.Ubi when h.Length >= 64 && h[4] == 1 => new(kind, offset, null),
            _ => null,
        };
    }

    /// <summary>LZMA-alone: properties byte 0x5D (lc=3, lp=0, pb=2, what every tool writes), a dictionary of 64 KiB to 64 MiB, a sane or unknown size.</summary>
    private static bool LzmaHeader(ReadOnlySpan<byte> h)
    {
        var dictionary = BinaryPrimitives.ReadUInt32LittleEndian(h[1..]);
        var size = BinaryPrimitives.ReadUInt64LittleEndian(h[5..]);
        return dictionary is >= 1 << 16 and <= 1 << 26 && (dictionary & (dictionary - 1)) == 0 && (size == ulong.MaxValue || size < 1UL << 32);
    }

    /// <summary>The payload size of a legacy uImage header whose CRC-32 (over the header with its CRC field zeroed) holds; -1 otherwise.</summary>
    private static long UImageHeader(ReadOnlySpan<byte> h)
    {
        Span<byte> copy = stackalloc byte[64];
        h[..64].CopyTo(copy);
        var crc = BinaryPrimitives.ReadUInt32BigEndian(copy[4..]);
        copy[4..8].Clear();
        return Crc32(copy) == crc ? BinaryPrimitives.ReadUInt32BigEndian(h[12..]) : -1;
    }

    /// <summary>CRC-32 (IEEE, reflected), bit by bit: it runs over one 64-byte header per candidate.</summary>
    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }

    private static bool TarChecksum(ReadOnlySpan<byte> h)
    {
        var field = System.Text.Encoding.ASCII.GetString(h[148..156]).Trim('\0', ' ');
        if (field.Length == 0 || !field.All(c => c is >= '0' and <= '7'))
        {
            return false;
        }

        var sum = 0;
        for (var i = 0; i < 512; i++)
        {
            sum += i is >= 148 and < 156 ? ' ' : h[i];
        }

        return Convert.ToInt32(field, 8) == sum;
    }

    private static bool IsHex(ReadOnlySpan<byte> h)
    {
        foreach (var b in h)
        {
            if (!char.IsAsciiHexDigit((char)b))
            {
                return false;
            }
        }

        return true;
    }
}
