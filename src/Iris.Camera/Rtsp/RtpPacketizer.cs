using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Iris.Camera.Rtsp;

/// <summary>
/// One RTP stream of a session (RFC 3550), sent interleaved in the RTSP connection (RFC 2326 10.12: '$', channel,
/// 16-bit length, packet): H.264 per RFC 6184 (single NAL unit and FU-A packets, non-interleaved mode) or AAC per
/// RFC 3640 (AAC-hbr, one access unit per packet, 13-bit size and 3-bit index). SSRC, first sequence number and
/// timestamp base are random (RFC 3550 5.1), so a stream says nothing about how long the camera has been up.
/// </summary>
internal sealed class RtpPacketizer
{
    /// <summary>Payload per packet: small enough for any relay that re-sends our packets over UDP.</summary>
    public const int MaxPayload = 1400;

    public const byte VideoPayloadType = 96;
    public const byte AudioPayloadType = 97;

    private readonly Fmp4Track _track;
    private readonly uint _clockRate;
    private readonly uint _timestampBase = (uint)RandomNumberGenerator.GetInt32(int.MaxValue);
    private ushort _sequence = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue);
    private uint _packets;
    private uint _octets;
    private uint _lastTimestamp;

    public RtpPacketizer(Fmp4Track track, byte channel)
    {
        _track = track;
        Channel = channel;
        _clockRate = track.Kind == TrackKind.Video ? 90_000u : (uint)Math.Max(track.Aac!.SampleRate, 1);
        Ssrc = (uint)RandomNumberGenerator.GetInt32(int.MaxValue) | 1u;
        _lastTimestamp = _timestampBase;
    }

    public byte Channel { get; }

    public uint Ssrc { get; }

    public uint TrackId => _track.TrackId;

    /// <summary>The sequence number the next packet carries (for RTP-Info in the PLAY answer).</summary>
    public ushort NextSequence => _sequence;

    /// <summary>The RTP timestamp of the last packet sent (the first one before anything is sent).</summary>
    public uint LastTimestamp => _lastTimestamp;

    /// <summary>Appends the interleaved RTP packets of one sample.</summary>
    public void Write(Fmp4Sample sample, IBufferWriter<byte> output)
    {
        var timestamp = TimestampOf(sample);
        _lastTimestamp = timestamp;
        if (_track.Kind == TrackKind.Video)
        {
            WriteH264(sample, timestamp, output);
        }
        else
        {
            WriteAac(sample.Data.Span, timestamp, output);
        }
    }

    /// <summary>The RTP timestamp <paramref name="sample"/> is sent with (its presentation time on this track's clock, from the random base).</summary>
    public uint TimestampOf(Fmp4Sample sample)
    {
        var presentation = (long)sample.DecodeTime + sample.CompositionOffset;
        return unchecked(_timestampBase + (uint)(Math.Max(presentation, 0) * (decimal)_clockRate / _track.Timescale));
    }

    /// <summary>An RTCP sender report (RFC 3550 6.4.1) tying the last RTP timestamp to wall-clock time, on the odd channel.</summary>
    public void WriteSenderReport(DateTimeOffset now, IBufferWriter<byte> output)
    {
        var span = output.GetSpan(4 + 28);
        span[0] = (byte)'$';
        span[1] = (byte)(Channel + 1);
        BinaryPrimitives.WriteUInt16BigEndian(span[2..], 28);
        span[4] = 0x80;
        span[5] = 200;
        BinaryPrimitives.WriteUInt16BigEndian(span[6..], 6);
        BinaryPrimitives.WriteUInt32BigEndian(span[8..], Ssrc);
        var sinceNtpEpoch = now - new DateTimeOffset(1900, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var seconds = (ulong)sinceNtpEpoch.Ticks / TimeSpan.TicksPerSecond;
        var fraction = ((ulong)sinceNtpEpoch.Ticks % TimeSpan.TicksPerSecond << 32) / TimeSpan.TicksPerSecond;
        BinaryPrimitives.WriteUInt32BigEndian(span[12..], unchecked((uint)seconds));
        BinaryPrimitives.WriteUInt32BigEndian(span[16..], (uint)fraction);
        BinaryPrimitives.WriteUInt32BigEndian(span[20..], _lastTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(span[24..], _packets);
        BinaryPrimitives.WriteUInt32BigEndian(span[28..], _octets);
        output.Advance(4 + 28);
    }

    private void WriteH264(Fmp4Sample sample, uint timestamp, IBufferWriter<byte> output)
    {
        var avc = _track.Avc!;
        var nals = SplitNalUnits(sample.Data, avc.NalLengthSize);
        // RFC 6184 8.4: a receiver that joins at this keyframe needs the parameter sets in band, unless the encoder
        // already repeats them in the sample.
        if (sample.IsSync && !nals.Exists(n => (n.Span[0] & 0x1F) == 7))
        {
            nals.InsertRange(0, [.. avc.Sps.Select(s => (ReadOnlyMemory<byte>)s), .. avc.Pps.Select(p => (ReadOnlyMemory<byte>)p)]);
        }

        for (var i = 0; i < nals.Count; i++)
        {
            var nal = nals[i].Span;
            var last = i == nals.Count - 1;
            if (nal.Length <= MaxPayload)
            {
                WritePacket(output, last, timestamp, [], nal);
                continue;
            }

            // FU-A (RFC 6184 5.8): the NAL header's F and NRI bits in the indicator, its type in the FU header.
            var indicator = (byte)((nal[0] & 0xE0) | 28);
            var type = (byte)(nal[0] & 0x1F);
            var rest = nal[1..];
            var first = true;
            while (rest.Length > 0)
            {
                var take = Math.Min(rest.Length, MaxPayload - 2);
                var end = take == rest.Length;
                var header = (byte)((first ? 0x80 : 0) | (end ? 0x40 : 0) | type);
                WritePacket(output, last && end, timestamp, [indicator, header], rest[..take]);
                rest = rest[take..];
                first = false;
            }
        }
    }

    private void WriteAac(ReadOnlySpan<byte> frame, uint timestamp, IBufferWriter<byte> output)
    {
        if (frame.Length is 0 or > 8191)
        {
            return; // the 13-bit AU-size cannot carry it; no AAC frame of a live encoder is this large
        }

        // AU-headers-length in bits (one 16-bit header), then AU-size (13 bits) and AU-index (3 bits, 0).
        ReadOnlySpan<byte> headers = [0x00, 0x10, (byte)(frame.Length >> 5), (byte)((frame.Length & 0x1F) << 3)];
        WritePacket(output, true, timestamp, headers, frame);
    }

    private void WritePacket(IBufferWriter<byte> output, bool marker, uint timestamp, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> payload)
    {
        var length = 12 + prefix.Length + payload.Length;
        var span = output.GetSpan(4 + length);
        span[0] = (byte)'$';
        span[1] = Channel;
        BinaryPrimitives.WriteUInt16BigEndian(span[2..], (ushort)length);
        span[4] = 0x80;
        span[5] = (byte)((marker ? 0x80 : 0) | (_track.Kind == TrackKind.Video ? VideoPayloadType : AudioPayloadType));
        BinaryPrimitives.WriteUInt16BigEndian(span[6..], _sequence++);
        BinaryPrimitives.WriteUInt32BigEndian(span[8..], timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(span[12..], Ssrc);
        prefix.CopyTo(span[16..]);
        payload.CopyTo(span[(16 + prefix.Length)..]);
        output.Advance(4 + length);
        _packets++;
        _octets += (uint)(prefix.Length + payload.Length);
    }

    /// <summary>The NAL units of an AVCC sample (each preceded by its big-endian length); a bad length ends the sample.</summary>
    internal static List<ReadOnlyMemory<byte>> SplitNalUnits(ReadOnlyMemory<byte> sample, int lengthSize)
    {
        var nals = new List<ReadOnlyMemory<byte>>();
        var position = 0;
        while (sample.Length - position > lengthSize)
        {
            var length = 0;
            for (var i = 0; i < lengthSize; i++)
            {
                length = (length << 8) | sample.Span[position + i];
            }

            position += lengthSize;
            if (length <= 0 || length > sample.Length - position)
            {
                break;
            }

            nals.Add(sample.Slice(position, length));
            position += length;
        }

        return nals;
    }
}
