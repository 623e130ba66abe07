using System.Buffers.Binary;

namespace Iris.Camera.Rtsp;

/// <summary>
/// Reads the fragmented MP4 the live feed delivers (ISO/IEC 14496-12): the tracks of <c>moov</c> and the samples of
/// each <c>moof</c> + <c>mdat</c>. Input is the camera's own encoder output, but it is still parsed defensively:
/// every length is checked against its container, and anything malformed is a <see cref="FormatException"/> that
/// ends the stream, never a read outside the buffer.
/// </summary>
internal static class Fmp4Reader
{
    private const uint SampleIsNonSync = 0x10000;

    public static IReadOnlyList<Fmp4Track> ReadInitialization(ReadOnlyMemory<byte> segment)
    {
        var moov = Child(segment, "moov") ?? throw new FormatException("The initialization segment has no moov box.");
        var defaults = new Dictionary<uint, Fmp4TrackDefaults>();
        if (Child(moov, "mvex") is { } mvex)
        {
            foreach (var trex in Children(mvex, "trex"))
            {
                var t = trex.Span;
                Need(t, 24);
                defaults[BinaryPrimitives.ReadUInt32BigEndian(t[4..])] = new Fmp4TrackDefaults(
                    BinaryPrimitives.ReadUInt32BigEndian(t[12..]), BinaryPrimitives.ReadUInt32BigEndian(t[16..]), BinaryPrimitives.ReadUInt32BigEndian(t[20..]));
            }
        }

        var tracks = new List<Fmp4Track>();
        foreach (var trak in Children(moov, "trak"))
        {
            if (ReadTrack(trak, defaults) is { } track)
            {
                tracks.Add(track);
            }
        }

        return tracks;
    }

    /// <summary>The samples of one fragment (moof + mdat), per track in the order they were stored.</summary>
    public static IReadOnlyList<Fmp4Sample> ReadFragment(ReadOnlyMemory<byte> fragment, IReadOnlyList<Fmp4Track> tracks)
    {
        var moofStart = Offset(fragment, "moof") ?? throw new FormatException("The fragment has no moof box.");
        var moof = Child(fragment, "moof")!.Value;
        var samples = new List<Fmp4Sample>();
        foreach (var traf in Children(moof, "traf"))
        {
            var tfhd = (Child(traf, "tfhd") ?? throw new FormatException("A traf has no tfhd.")).Span;
            Need(tfhd, 8);
            var flags = BinaryPrimitives.ReadUInt32BigEndian(tfhd) & 0xFFFFFF;
            var trackId = BinaryPrimitives.ReadUInt32BigEndian(tfhd[4..]);
            var track = tracks.FirstOrDefault(t => t.TrackId == trackId);
            var position = 8;
            long baseOffset = moofStart;
            if ((flags & 0x1) != 0)
            {
                Need(tfhd, position + 8);
                baseOffset = moofStart + (long)BinaryPrimitives.ReadUInt64BigEndian(tfhd[position..]);
                position += 8;
            }

            position += (flags & 0x2) != 0 ? 4 : 0;
            var duration = Optional(tfhd, flags, 0x8, ref position) ?? track?.Defaults.Duration ?? 0;
            var size = Optional(tfhd, flags, 0x10, ref position) ?? track?.Defaults.Size ?? 0;
            var sampleFlags = Optional(tfhd, flags, 0x20, ref position) ?? track?.Defaults.Flags ?? 0;

            ulong decodeTime = 0;
            if (Child(traf, "tfdt") is { } tfdtBox)
            {
                var tfdt = tfdtBox.Span;
                Need(tfdt, tfdt.Length > 0 && tfdt[0] == 1 ? 12 : 8);
                decodeTime = tfdt[0] == 1 ? BinaryPrimitives.ReadUInt64BigEndian(tfdt[4..]) : BinaryPrimitives.ReadUInt32BigEndian(tfdt[4..]);
            }

            var dataPosition = baseOffset;
            foreach (var trunBox in Children(traf, "trun"))
            {
                dataPosition = ReadRun(fragment, trunBox.Span, trackId, baseOffset, dataPosition, duration, size, sampleFlags, ref decodeTime, samples);
            }
        }

        return samples;
    }

    private static long ReadRun(ReadOnlyMemory<byte> fragment, ReadOnlySpan<byte> trun, uint trackId, long baseOffset, long dataPosition,
        uint defaultDuration, uint defaultSize, uint defaultFlags, ref ulong decodeTime, List<Fmp4Sample> samples)
    {
        Need(trun, 8);
        var version = trun[0];
        var flags = BinaryPrimitives.ReadUInt32BigEndian(trun) & 0xFFFFFF;
        var count = BinaryPrimitives.ReadUInt32BigEndian(trun[4..]);
        var position = 8;
        if ((flags & 0x1) != 0)
        {
            Need(trun, position + 4);
            dataPosition = baseOffset + BinaryPrimitives.ReadInt32BigEndian(trun[position..]);
            position += 4;
        }

        var firstFlags = Optional(trun, flags, 0x4, ref position);
        var perSample = ((flags & 0x100) != 0 ? 4 : 0) + ((flags & 0x200) != 0 ? 4 : 0) + ((flags & 0x400) != 0 ? 4 : 0) + ((flags & 0x800) != 0 ? 4 : 0);
        // A run whose samples all take the defaults has no per-sample bytes (ffmpeg writes its sound runs so): only
        // a run with per-sample fields can be checked against its length.
        if ((perSample > 0 && count > (uint)((trun.Length - position) / perSample)) || (perSample == 0 && count > 100_000))
        {
            throw new FormatException("A trun claims more samples than it holds.");
        }

        for (var i = 0; i < count; i++)
        {
            var duration = Optional(trun, flags, 0x100, ref position) ?? defaultDuration;
            var size = Optional(trun, flags, 0x200, ref position) ?? defaultSize;
            var sampleFlags = Optional(trun, flags, 0x400, ref position) ?? (i == 0 ? firstFlags : null) ?? defaultFlags;
            var offset = Optional(trun, flags, 0x800, ref position) ?? 0;
            var composition = version == 0 ? (int)Math.Min(offset, int.MaxValue) : unchecked((int)offset);
            if (dataPosition < 0 || size > fragment.Length || dataPosition > fragment.Length - size)
            {
                throw new FormatException("A sample lies outside its fragment.");
            }

            samples.Add(new Fmp4Sample(trackId, decodeTime, composition, (sampleFlags & SampleIsNonSync) == 0,
                fragment.Slice((int)dataPosition, (int)size), duration));
            dataPosition += size;
            decodeTime += duration;
        }

        return dataPosition;
    }

    private static Fmp4Track? ReadTrack(ReadOnlyMemory<byte> trak, Dictionary<uint, Fmp4TrackDefaults> defaults)
    {
        var tkhd = (Child(trak, "tkhd") ?? throw new FormatException("A trak has no tkhd.")).Span;
        Need(tkhd, 24);
        var trackId = BinaryPrimitives.ReadUInt32BigEndian(tkhd[(tkhd[0] == 1 ? 20 : 12)..]);
        var mdia = Child(trak, "mdia") ?? throw new FormatException("A trak has no mdia.");
        var mdhd = (Child(mdia, "mdhd") ?? throw new FormatException("A trak has no mdhd.")).Span;
        Need(mdhd, 24);
        var timescale = BinaryPrimitives.ReadUInt32BigEndian(mdhd[(mdhd[0] == 1 ? 20 : 12)..]);
        var hdlr = (Child(mdia, "hdlr") ?? throw new FormatException("A trak has no hdlr.")).Span;
        Need(hdlr, 12);
        var handler = System.Text.Encoding.ASCII.GetString(hdlr.Slice(8, 4));
        var stsd = Child(mdia, "minf") is { } minf && Child(minf, "stbl") is { } stbl && Child(stbl, "stsd") is { } s ? s : throw new FormatException("A trak has no stsd.");
        if (stsd.Length < 16 || timescale == 0)
        {
            throw new FormatException("A trak has an empty stsd or no timescale.");
        }

        // stsd: version/flags, entry count, then the first sample entry (one per track from our encoder).
        var entry = stsd[8..];
        var entrySize = (int)BinaryPrimitives.ReadUInt32BigEndian(entry.Span);
        var entryType = System.Text.Encoding.ASCII.GetString(entry.Span.Slice(4, 4));
        if (entrySize < 8 || entrySize > entry.Length)
        {
            throw new FormatException("A sample entry is larger than its stsd.");
        }

        var body = entry[8..entrySize];
        var trackDefaults = defaults.GetValueOrDefault(trackId) ?? new Fmp4TrackDefaults(0, 0, 0);
        if (handler == "vide" && entryType == "avc1" && body.Length >= 78)
        {
            var avcC = Child(body[78..], "avcC") ?? throw new FormatException("An avc1 entry has no avcC.");
            return new Fmp4Track(trackId, TrackKind.Video, timescale, trackDefaults)
            {
                Avc = Fmp4SampleEntries.ReadAvcC(avcC.Span),
                Width = BinaryPrimitives.ReadUInt16BigEndian(body.Span[24..]),
                Height = BinaryPrimitives.ReadUInt16BigEndian(body.Span[26..]),
            };
        }

        if (handler == "soun" && entryType == "mp4a" && body.Length >= 28)
        {
            var esds = Child(body[28..], "esds") ?? throw new FormatException("An mp4a entry has no esds.");
            var channels = BinaryPrimitives.ReadUInt16BigEndian(body.Span[16..]);
            var rate = (int)(BinaryPrimitives.ReadUInt32BigEndian(body.Span[24..]) >> 16);
            return new Fmp4Track(trackId, TrackKind.Audio, timescale, trackDefaults) { Aac = new AacConfig(Fmp4SampleEntries.ReadAudioSpecificConfig(esds.Span), rate, channels) };
        }

        return null; // a track we cannot carry (another codec) is left out of the SDP
    }

    private static uint? Optional(ReadOnlySpan<byte> box, uint flags, uint flag, ref int position)
    {
        if ((flags & flag) == 0)
        {
            return null;
        }

        Need(box, position + 4);
        var value = BinaryPrimitives.ReadUInt32BigEndian(box[position..]);
        position += 4;
        return value;
    }

    internal static void Need(ReadOnlySpan<byte> data, int length)
    {
        if (data.Length < length)
        {
            throw new FormatException("A box is shorter than its fields.");
        }
    }

    /// <summary>The payload (after the 8-byte header) of the first child box of that type.</summary>
    private static ReadOnlyMemory<byte>? Child(ReadOnlyMemory<byte> container, string type)
    {
        foreach (var (boxType, payload, _) in Boxes(container))
        {
            if (boxType == type)
            {
                return payload;
            }
        }

        return null;
    }

    private static IEnumerable<ReadOnlyMemory<byte>> Children(ReadOnlyMemory<byte> container, string type) =>
        Boxes(container).Where(b => b.Type == type).Select(b => b.Payload);

    private static long? Offset(ReadOnlyMemory<byte> container, string type) =>
        Boxes(container).Where(b => b.Type == type).Select(b => (long?)b.Start).FirstOrDefault();

    /// <summary>The boxes directly inside a container. 64-bit sizes are refused: no box of a live fragment needs one.</summary>
    public static IEnumerable<(string Type, ReadOnlyMemory<byte> Payload, int Start)> Boxes(ReadOnlyMemory<byte> container)
    {
        var position = 0;
        while (container.Length - position >= 8)
        {
            var size = BinaryPrimitives.ReadUInt32BigEndian(container.Span[position..]);
            var type = System.Text.Encoding.ASCII.GetString(container.Span.Slice(position + 4, 4));
            if (size < 8 || size > container.Length - position)
            {
                throw new FormatException("A box is larger than its container.");
            }

            yield return (type, container.Slice(position + 8, (int)size - 8), position);
            position += (int)size;
        }
    }
}
