using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Iris.Camera.Media;

/// <summary>One decrypted record: a JPEG frame (formats 1 and 2), or a piece of fragmented MP4 (format 3).</summary>
public sealed record RecordedFrame(long Index, DateTimeOffset CapturedAt, byte[] Jpeg);

/// <summary>
/// Encrypted recording segment. Every frame is sealed before it reaches the disk:
/// <code>
/// header:  "IRSG" | version (1) | segment id (16 random bytes)
/// record:  ciphertext length (4, big endian) | tag (16) | ciphertext of [captured-at ms (8) | JPEG]
/// </code>
/// Format 2 (written now): the segment key is random, and its only copy is wrapped by the recordings key in the
/// segment key table (<see cref="SegmentKeyTable"/>), so erasing that small slot in place erases the segment even
/// while the recordings key lives. Format 1 (still read): the key was HKDF-SHA-256(recordings key, salt = segment
/// id, info = "iris-segment/v1"), which a deleted segment's carved file and the surviving master key re-create;
/// no new format-1 segment is written. Format 3 is format 2 with H.264 (+ AAC) instead of JPEGs: record 0 is the
/// fragmented MP4 initialization segment (ftyp+moov), every later record one moof+mdat fragment, the first of them
/// a keyframe, so the records in order are a playable fragmented MP4 and a torn tail loses whole fragments only.
/// The nonce is the frame index (unique per key); the associated data is the segment id
/// and frame index, so records cannot be reordered, moved between segments or dropped from the middle unnoticed.
/// The file is append-only: a power cut leaves a valid prefix, and the torn tail is detected and cut off.
/// </summary>
internal static class SegmentFormat
{
    public const int HeaderLength = 4 + 1 + 16;
    public const byte DerivedKeyVersion = 1;
    public const byte RandomKeyVersion = 2;
    public const byte Fmp4Version = 3;
    private const int RecordOverhead = 4 + 16;
    private const int MaxFrameBytes = 16 * 1024 * 1024;
    private static ReadOnlySpan<byte> Magic => "IRSG"u8;

    public static byte[] DeriveSegmentKey(ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> segmentId)
    {
        var key = new byte[32];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, masterKey, key, segmentId, "iris-segment/v1"u8);
        return key;
    }

    public static byte[] Header(ReadOnlySpan<byte> segmentId, byte version = RandomKeyVersion)
    {
        var header = new byte[HeaderLength];
        Magic.CopyTo(header);
        header[4] = version;
        segmentId.CopyTo(header.AsSpan(5));
        return header;
    }

    public static byte[] SealRecord(AesGcm aead, ReadOnlySpan<byte> segmentId, long index, DateTimeOffset capturedAt, ReadOnlySpan<byte> jpeg)
    {
        var plaintext = new byte[8 + jpeg.Length];
        BinaryPrimitives.WriteInt64BigEndian(plaintext, capturedAt.ToUnixTimeMilliseconds());
        jpeg.CopyTo(plaintext.AsSpan(8));
        var record = new byte[RecordOverhead + plaintext.Length];
        BinaryPrimitives.WriteInt32BigEndian(record, plaintext.Length);
        aead.Encrypt(Nonce(index), plaintext, record.AsSpan(RecordOverhead), record.AsSpan(4, 16), AssociatedData(segmentId, index));
        CryptographicOperations.ZeroMemory(plaintext);
        return record;
    }

    /// <summary>Why a segment could not be read completely.</summary>
    public enum ReadProblem
    {
        None,
        NotASegment,
        TornTail,
        Damaged,
    }

    /// <summary>Whether decrypted records are fragmented MP4 (format 3: record 0 starts with an ftyp box) rather than JPEGs.</summary>
    public static bool IsFmp4(IReadOnlyList<RecordedFrame> records) =>
        records.Count > 0 && records[0].Jpeg.Length >= 8 && records[0].Jpeg.AsSpan(4, 4).SequenceEqual("ftyp"u8);

    /// <summary>The format version and segment id of a segment file, or null when it does not start like one.</summary>
    public static (byte Version, byte[] SegmentId)? ParseHeader(ReadOnlySpan<byte> file) =>
        file.Length < HeaderLength || !file[..4].SequenceEqual(Magic) || file[4] is not (DerivedKeyVersion or RandomKeyVersion or Fmp4Version)
            ? null
            : (file[4], file.Slice(5, 16).ToArray());

    /// <summary>
    /// Reads every record that authenticates. <paramref name="key"/> is the recordings key for a format-1 file
    /// (the segment key is derived from it) and the segment's own key for a format-2 file. A short or unauthenticated final record (a torn tail after a power
    /// cut) ends the read with <see cref="ReadProblem.TornTail"/>; an unauthenticated record that is followed by
    /// more data means tampering or damage (<see cref="ReadProblem.Damaged"/>).
    /// </summary>
    public static (List<RecordedFrame> Frames, ReadProblem Problem, long ValidLength) Read(ReadOnlySpan<byte> file, ReadOnlySpan<byte> key, bool keepFrames = true)
    {
        var frames = new List<RecordedFrame>();
        if (ParseHeader(file) is not { } header)
        {
            return (frames, ReadProblem.NotASegment, 0);
        }

        var version = header.Version;
        var segmentId = file.Slice(5, 16);
        var segmentKey = version == DerivedKeyVersion ? DeriveSegmentKey(key, segmentId) : key.ToArray();
        using var aead = new AesGcm(segmentKey, 16);
        CryptographicOperations.ZeroMemory(segmentKey);
        var offset = HeaderLength;
        for (long index = 0; offset < file.Length; index++)
        {
            if (file.Length - offset < RecordOverhead)
            {
                return (frames, ReadProblem.TornTail, offset);
            }

            var length = BinaryPrimitives.ReadInt32BigEndian(file[offset..]);
            if (length is < 8 or > MaxFrameBytes)
            {
                return (frames, offset + RecordOverhead + Math.Max(0, length) >= file.Length ? ReadProblem.TornTail : ReadProblem.Damaged, offset);
            }

            if (file.Length - offset - RecordOverhead < length)
            {
                return (frames, ReadProblem.TornTail, offset);
            }

            var plaintext = new byte[length];
            try
            {
                aead.Decrypt(Nonce(index), file.Slice(offset + RecordOverhead, length), file.Slice(offset + 4, 16), plaintext, AssociatedData(segmentId, index));
            }
            catch (AuthenticationTagMismatchException)
            {
                var isLast = offset + RecordOverhead + length == file.Length;
                return (frames, isLast ? ReadProblem.TornTail : ReadProblem.Damaged, offset);
            }

            if (keepFrames)
            {
                frames.Add(new RecordedFrame(index, DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(plaintext)), plaintext[8..]));
            }

            offset += RecordOverhead + length;
        }

        return (frames, ReadProblem.None, offset);
    }

    private static byte[] Nonce(long index)
    {
        var nonce = new byte[12];
        BinaryPrimitives.WriteInt64BigEndian(nonce.AsSpan(4), index);
        return nonce;
    }

    private static byte[] AssociatedData(ReadOnlySpan<byte> segmentId, long index)
    {
        var data = new byte[16 + 8];
        segmentId.CopyTo(data);
        BinaryPrimitives.WriteInt64BigEndian(data.AsSpan(16), index);
        return data;
    }
}
