using System.Buffers.Binary;
using System.Text;

namespace Iris.Camera.Media;

/// <summary>
/// The encoder's picture input: the frame hub's JPEGs in a minimal live Matroska stream (one MJPEG track, a segment
/// of unknown size, one cluster per picture), so every picture carries its capture time (<see cref="CaptureTimeline"/>)
/// instead of being timed by its count. ffmpeg then fills a gap (a dropped frame, a loaded CPU, a camera slower in
/// the dark) by repeating the last picture after decoding (<c>-fps_mode cfr</c>), and the video stays as long as
/// the time it covers. The track's default duration is one frame interval: ffmpeg counts a picture's own duration
/// when it fills a gap, and without it every gap would come out one frame short and shift what follows.
/// Times are in milliseconds (Matroska's default scale), well within a frame at any allowed rate.
/// </summary>
internal static class MatroskaPictures
{
    private static readonly byte[] Cluster = [0x1F, 0x43, 0xB6, 0x75];
    private static readonly byte[] ClusterTimestamp = [0xE7];
    private static readonly byte[] SimpleBlock = [0xA3];

    /// <summary>The stream's start: EBML header, the segment (size unknown: it is live), its info and the one video track.</summary>
    public static byte[] Header(int width, int height, int framesPerSecond)
    {
        var header = Element([0x1A, 0x45, 0xDF, 0xA3],
            [
                .. Unsigned([0x42, 0x86], 1), // EBMLVersion
                .. Unsigned([0x42, 0xF7], 1), // EBMLReadVersion
                .. Unsigned([0x42, 0xF2], 4), // EBMLMaxIDLength
                .. Unsigned([0x42, 0xF3], 8), // EBMLMaxSizeLength
                .. Text([0x42, 0x82], "matroska"), // DocType
                .. Unsigned([0x42, 0x87], 4), // DocTypeVersion
                .. Unsigned([0x42, 0x85], 2), // DocTypeReadVersion
            ]);
        byte[] segment = [0x18, 0x53, 0x80, 0x67, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];
        var info = Element([0x15, 0x49, 0xA9, 0x66],
            [
                .. Unsigned([0x2A, 0xD7, 0xB1], 1_000_000), // TimestampScale: milliseconds
                .. Text([0x4D, 0x80], "iris"), // MuxingApp
                .. Text([0x57, 0x41], "iris"), // WritingApp
            ]);
        var video = Element([0xE0], [.. Unsigned([0xB0], (ulong)width), .. Unsigned([0xBA], (ulong)height)]);
        var track = Element([0xAE],
            [
                .. Unsigned([0xD7], 1), // TrackNumber
                .. Unsigned([0x73, 0xC5], 1), // TrackUID
                .. Unsigned([0x83], 1), // TrackType: video
                .. Unsigned([0x23, 0xE3, 0x83], (ulong)(1_000_000_000 / framesPerSecond)), // DefaultDuration, ns
                .. Unsigned([0x9C], 0), // FlagLacing
                .. Text([0x86], "V_MJPEG"),
                .. video,
            ]);
        return [.. header, .. segment, .. info, .. Element([0x16, 0x54, 0xAE, 0x6B], track)];
    }

    /// <summary>
    /// What goes before a picture's JPEG bytes: a cluster holding its time and one simple block (track 1, a
    /// keyframe: every JPEG is one) whose data is the JPEG that follows.
    /// </summary>
    public static byte[] PictureStart(long milliseconds, int jpegLength)
    {
        var timestamp = Unsigned(ClusterTimestamp, (ulong)milliseconds);
        byte[] block = [0x81, 0x00, 0x00, 0x80]; // track 1, relative time 0, keyframe
        var blockLength = block.Length + jpegLength;
        var blockHeader = Concat(SimpleBlock, Size(blockLength), block);
        var clusterLength = timestamp.Length + blockHeader.Length + jpegLength;
        return Concat(Cluster, Size(clusterLength), timestamp, blockHeader);
    }

    private static byte[] Element(byte[] id, byte[] payload) => Concat(id, Size(payload.Length), payload);

    private static byte[] Unsigned(byte[] id, ulong value)
    {
        var length = Math.Max(1, (64 - System.Numerics.BitOperations.LeadingZeroCount(value) + 7) / 8);
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        return Element(id, bytes[(8 - length)..]);
    }

    private static byte[] Text(byte[] id, string value) => Element(id, Encoding.ASCII.GetBytes(value));

    /// <summary>An element size as an 8-byte EBML variable-length integer: always valid, whatever the length.</summary>
    private static byte[] Size(long length)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, length);
        bytes[0] = 0x01;
        return bytes;
    }

    private static byte[] Concat(params byte[][] parts)
    {
        var result = new byte[parts.Sum(p => p.Length)];
        var at = 0;
        foreach (var part in parts)
        {
            part.CopyTo(result, at);
            at += part.Length;
        }

        return result;
    }
}
