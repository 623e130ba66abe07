using System.Buffers.Binary;

namespace Iris.Camera.Media;

/// <summary>
/// Cuts ffmpeg's fragmented MP4 output into the pieces <see cref="ILiveMediaFeed"/> promises: the initialization
/// segment (every box up to and including <c>moov</c>), then one <c>moof</c>+<c>mdat</c> pair per fragment. Only
/// top-level box headers are read (32-bit sizes and 64-bit "largesize"); a box larger than
/// <see cref="MaxBoxBytes"/>, a size that cannot hold its header, or a box running to end of file (size 0) ends the
/// stream with <see cref="InvalidDataException"/>: never a half box handed on, never unbounded memory.
/// </summary>
internal static class Fmp4Splitter
{
    /// <summary>Largest box accepted: a 4K keyframe at high quality stays well below.</summary>
    public const long MaxBoxBytes = 32L << 20;

    /// <summary>Reads <paramref name="output"/> to its end, yielding whole pieces.</summary>
    public static async IAsyncEnumerable<MediaFragment> SplitAsync(Stream output, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var init = new MemoryStream();
        byte[]? moof = null;
        var initDone = false;
        while (await ReadBoxAsync(output, cancellationToken).ConfigureAwait(false) is { } box)
        {
            if (!initDone)
            {
                if (box.Type == "moof")
                {
                    throw new InvalidDataException("A fragment came before the movie header (moov).");
                }

                init.Write(box.Bytes);
                if (box.Type == "moov")
                {
                    initDone = true;
                    yield return new MediaFragment(init.ToArray(), IsInitialization: true, StartsWithKeyframe: false);
                }

                continue;
            }

            if (box.Type == "moof")
            {
                moof = box.Bytes;
            }
            else if (box.Type == "mdat" && moof is not null)
            {
                var fragment = new byte[moof.Length + box.Bytes.Length];
                moof.CopyTo(fragment, 0);
                box.Bytes.CopyTo(fragment, moof.Length);
                yield return new MediaFragment(fragment, IsInitialization: false, StartsWithKeyframe: FirstSampleIsSync(moof));
                moof = null;
            }

            // Anything else after the header (styp, sidx, mfra at the end) carries nothing a live reader needs.
        }
    }

    /// <summary>
    /// Whether the first sample of the first track fragment (the video track: it comes first) is a sync sample,
    /// from trun's first-sample flags, else its per-sample flags, else tfhd's default flags (ISO/IEC 14496-12
    /// 8.8.3.1: bit 16 is sample_is_non_sync_sample). A fragment without any says nothing: not a keyframe.
    /// </summary>
    public static bool FirstSampleIsSync(ReadOnlySpan<byte> moof)
    {
        var traf = Child(moof[8..], "traf");
        if (traf.IsEmpty)
        {
            return false;
        }

        uint? flags = null;
        var tfhd = Child(traf[8..], "tfhd");
        if (tfhd.Length >= 16)
        {
            var tfFlags = BinaryPrimitives.ReadUInt32BigEndian(tfhd[8..]) & 0xFFFFFF;
            var at = 16 + ((tfFlags & 0x1) != 0 ? 8 : 0) + ((tfFlags & 0x2) != 0 ? 4 : 0) + ((tfFlags & 0x8) != 0 ? 4 : 0) + ((tfFlags & 0x10) != 0 ? 4 : 0);
            if ((tfFlags & 0x20) != 0 && tfhd.Length >= at + 4)
            {
                flags = BinaryPrimitives.ReadUInt32BigEndian(tfhd[at..]);
            }
        }

        var trun = Child(traf[8..], "trun");
        if (trun.Length >= 16)
        {
            var trFlags = BinaryPrimitives.ReadUInt32BigEndian(trun[8..]) & 0xFFFFFF;
            var at = 16 + ((trFlags & 0x1) != 0 ? 4 : 0);
            if ((trFlags & 0x4) != 0 && trun.Length >= at + 4)
            {
                flags = BinaryPrimitives.ReadUInt32BigEndian(trun[at..]);
            }
            else if ((trFlags & 0x400) != 0)
            {
                var sampleAt = at + ((trFlags & 0x100) != 0 ? 4 : 0) + ((trFlags & 0x200) != 0 ? 4 : 0);
                if (trun.Length >= sampleAt + 4)
                {
                    flags = BinaryPrimitives.ReadUInt32BigEndian(trun[sampleAt..]);
                }
            }
        }

        return flags is { } f && (f & 0x10000) == 0;
    }

    /// <summary>The first track's (the video's) time scale from an initialization segment's moov/trak/mdia/mdhd, or 0.</summary>
    public static uint FirstTrackTimescale(ReadOnlySpan<byte> init)
    {
        var moov = Child(init, "moov");
        var trak = moov.IsEmpty ? [] : Child(moov[8..], "trak");
        var mdia = trak.IsEmpty ? [] : Child(trak[8..], "mdia");
        var mdhd = mdia.IsEmpty ? [] : Child(mdia[8..], "mdhd");
        var at = mdhd.Length > 8 && mdhd[8] == 1 ? 28 : 20;
        return mdhd.Length >= at + 4 ? BinaryPrimitives.ReadUInt32BigEndian(mdhd[at..]) : 0;
    }

    /// <summary>The first track fragment's decode time (moof/traf/tfdt, in its track's time scale), or null.</summary>
    public static ulong? FirstDecodeTime(ReadOnlySpan<byte> moof)
    {
        var traf = Child(moof[8..], "traf");
        var tfdt = traf.IsEmpty ? [] : Child(traf[8..], "tfdt");
        if (tfdt.Length < 16)
        {
            return null;
        }

        return tfdt[8] == 1 ? (tfdt.Length >= 20 ? BinaryPrimitives.ReadUInt64BigEndian(tfdt[12..]) : null) : BinaryPrimitives.ReadUInt32BigEndian(tfdt[12..]);
    }

    /// <summary>The first child box of type <paramref name="type"/> among the boxes in <paramref name="content"/>, or empty.</summary>
    private static ReadOnlySpan<byte> Child(ReadOnlySpan<byte> content, string type)
    {
        while (content.Length >= 8)
        {
            var size = BinaryPrimitives.ReadUInt32BigEndian(content);
            if (size < 8 || size > content.Length)
            {
                return [];
            }

            if (content[4] == type[0] && content[5] == type[1] && content[6] == type[2] && content[7] == type[3])
            {
                return content[..(int)size];
            }

            content = content[(int)size..];
        }

        return [];
    }

    private static async Task<(string Type, byte[] Bytes)?> ReadBoxAsync(Stream stream, CancellationToken cancellationToken)
    {
        var header = new byte[16];
        var got = await stream.ReadAtLeastAsync(header.AsMemory(0, 8), 8, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (got == 0)
        {
            return null;
        }

        if (got < 8)
        {
            throw new InvalidDataException("The stream ended inside a box header.");
        }

        var type = System.Text.Encoding.ASCII.GetString(header, 4, 4);
        long size = BinaryPrimitives.ReadUInt32BigEndian(header);
        var headerLength = 8;
        if (size == 1)
        {
            await stream.ReadExactlyAsync(header.AsMemory(8, 8), cancellationToken).ConfigureAwait(false);
            size = BinaryPrimitives.ReadInt64BigEndian(header.AsSpan(8));
            headerLength = 16;
        }

        if (size < headerLength || size > MaxBoxBytes)
        {
            throw new InvalidDataException($"A {(size == 0 ? "box running to the end of the stream" : "box of impossible size")} ({type}) cannot be streamed.");
        }

        var bytes = new byte[size];
        header.AsSpan(0, headerLength).CopyTo(bytes);
        await stream.ReadExactlyAsync(bytes.AsMemory(headerLength), cancellationToken).ConfigureAwait(false);
        return (type, bytes);
    }
}
