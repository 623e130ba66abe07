using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using Iris.Camera.Rtsp;
using Iris.Camera.Tests.Support;

namespace Iris.Camera.Tests.Rtsp;

/// <summary>fMP4 in, RTP out: the byte-level rules of RFC 6184 and RFC 3640, and the MP4 reader against ffprobe.</summary>
public sealed class RtpPacketizerTests
{
    private static readonly byte[] Sps = [0x67, 0x42, 0xC0, 0x1F, 0xDA, 0x01];
    private static readonly byte[] Pps = [0x68, 0xCE, 0x3C, 0x80];

    private static readonly Fmp4Track Video = new(1, TrackKind.Video, 15360, new Fmp4TrackDefaults(0, 0, 0))
    {
        Avc = new AvcConfig([0x42, 0xC0, 0x1F], 4, [Sps], [Pps]),
    };

    private static readonly Fmp4Track Audio = new(2, TrackKind.Audio, 48000, new Fmp4TrackDefaults(0, 0, 0))
    {
        Aac = new AacConfig([0x11, 0x88], 48000, 1),
    };

    [Fact]
    public void Keyframe_GetsParameterSetsFirst_AndALargeNalUnitIsSplitIntoFuA()
    {
        var idr = new byte[5000];
        Random.Shared.NextBytes(idr);
        idr[0] = 0x65; // NRI 3, type 5 (IDR)
        var packetizer = new RtpPacketizer(Video, channel: 0);
        var output = new ArrayBufferWriter<byte>();

        packetizer.Write(new Fmp4Sample(1, 0, 0, true, Avcc(idr), 1024), output);

        var packets = Packets(output.WrittenMemory);
        Assert.All(packets, p => Assert.Equal(0, p.Channel));
        Assert.All(packets, p => Assert.InRange(p.Payload.Length, 1, RtpPacketizer.MaxPayload));
        Assert.Equal(Sps, packets[0].Payload);
        Assert.Equal(Pps, packets[1].Payload);
        var fragments = packets.Skip(2).ToList();
        Assert.Equal(4, fragments.Count); // 4999 bytes after the NAL header, 1398 per FU-A
        Assert.All(fragments, f => Assert.Equal(0x7C, f.Payload[0])); // F=0, NRI=3, type 28
        Assert.Equal(0x85, fragments[0].Payload[1]); // start bit, type 5
        Assert.Equal(0x05, fragments[1].Payload[1]);
        Assert.Equal(0x45, fragments[^1].Payload[1]); // end bit, type 5
        Assert.Equal(idr[1..], fragments.SelectMany(f => f.Payload[2..]).ToArray());
        Assert.Equal([false, false, false, false, false, true], packets.Select(p => p.Marker));
        Assert.Single(packets.Select(p => p.Timestamp).Distinct());
        Assert.Equal(Enumerable.Range(0, packets.Count).Select(i => (ushort)(packets[0].Sequence + i)), packets.Select(p => p.Sequence));
    }

    [Fact]
    public void VideoTimestamps_Use90kHz_AndANonKeyframeGetsNoParameterSets()
    {
        var packetizer = new RtpPacketizer(Video, channel: 0);
        var output = new ArrayBufferWriter<byte>();
        byte[] slice = [0x41, 0x9A, 0x02, 0x03];

        packetizer.Write(new Fmp4Sample(1, 15360, 0, false, Avcc(slice), 1024), output);
        packetizer.Write(new Fmp4Sample(1, 15360 + 1024, 0, false, Avcc(slice), 1024), output);

        var packets = Packets(output.WrittenMemory);
        Assert.Equal(2, packets.Count);
        Assert.Equal(slice, packets[0].Payload);
        Assert.Equal(6000u, packets[1].Timestamp - packets[0].Timestamp); // 1/15 s at 90 kHz
    }

    [Fact]
    public void AacFrame_GetsOneAuHeader_13BitSize3BitIndex_AndSampleRateTimestamps()
    {
        var packetizer = new RtpPacketizer(Audio, channel: 2);
        var output = new ArrayBufferWriter<byte>();
        var frame = new byte[300];
        Random.Shared.NextBytes(frame);

        packetizer.Write(new Fmp4Sample(2, 0, 0, true, frame, 1024), output);
        packetizer.Write(new Fmp4Sample(2, 1024, 0, true, frame, 1024), output);
        packetizer.WriteSenderReport(DateTimeOffset.UnixEpoch, output);

        var packets = Packets(output.WrittenMemory);
        Assert.Equal(3, packets.Count);
        Assert.Equal(2, packets[0].Channel);
        Assert.Equal([0x00, 0x10, 0x09, 0x60], packets[0].Payload[..4]); // 16 bits of headers, then 300 << 3 = 0x0960
        Assert.Equal(frame, packets[0].Payload[4..]);
        Assert.True(packets[0].Marker);
        Assert.Equal(1024u, packets[1].Timestamp - packets[0].Timestamp);
        var report = packets[2];
        Assert.Equal(3, report.Channel); // RTCP on the odd channel
        Assert.Equal(200, report.Raw[1]); // sender report
        Assert.Equal(2208988800u, BinaryPrimitives.ReadUInt32BigEndian(report.Raw.AsSpan(8))); // NTP seconds at 1970-01-01
        Assert.Equal(packets[1].Timestamp, BinaryPrimitives.ReadUInt32BigEndian(report.Raw.AsSpan(16)));
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32BigEndian(report.Raw.AsSpan(20)));
    }

    [Fact]
    public async Task Fmp4Reader_FindsTheSamplesFfprobeFinds()
    {
        using var directory = new TempDirectory();
        var file = Path.Combine(directory.Path, "live.mp4");
        await RunAsync("ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=15", "-f", "lavfi", "-i",
            "sine=frequency=440:sample_rate=48000", "-t", "3", "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "15",
            "-pix_fmt", "yuv420p", "-c:a", "aac", "-f", "mp4", "-movflags", "frag_keyframe+empty_moov+default_base_moof", file);
        var expected = (await RunAsync("ffprobe", "-v", "error", "-show_entries", "packet=stream_index,size,flags", "-of", "csv=p=0", file))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(',')).ToList();

        var bytes = await File.ReadAllBytesAsync(file);
        var boxes = Fmp4Reader.Boxes(bytes).ToList();
        var init = bytes.AsMemory(0, boxes.First(b => b.Type == "moov").Start + boxes.First(b => b.Type == "moov").Payload.Length + 8);
        var tracks = Fmp4Reader.ReadInitialization(init);
        var samples = new List<Fmp4Sample>();
        foreach (var moof in boxes.Where(b => b.Type == "moof"))
        {
            var mdat = boxes.First(b => b.Type == "mdat" && b.Start > moof.Start);
            samples.AddRange(Fmp4Reader.ReadFragment(bytes.AsMemory(moof.Start, mdat.Start + 8 + mdat.Payload.Length - moof.Start), tracks));
        }

        var video = Assert.Single(tracks, t => t.Kind == TrackKind.Video);
        Assert.Equal((320, 240), (video.Width, video.Height));
        Assert.Equal(4, video.Avc!.NalLengthSize);
        Assert.Equal(0x67, video.Avc.Sps[0][0] & 0x7F);
        var audio = Assert.Single(tracks, t => t.Kind == TrackKind.Audio);
        Assert.Equal(48000, audio.Aac!.SampleRate);
        // AudioSpecificConfig: AAC LC (object type 2), 48 kHz (index 3), one channel; ffprobe's extradata is the same bytes.
        Assert.Equal([0x11, 0x88], audio.Aac.AudioSpecificConfig[..2]);
        var extradata = await RunAsync("ffprobe", "-v", "error", "-select_streams", "a", "-show_entries", "stream=extradata_size", "-of", "csv=p=0", file);
        Assert.Equal(int.Parse(extradata.Trim(), System.Globalization.CultureInfo.InvariantCulture), audio.Aac.AudioSpecificConfig.Length);
        for (var stream = 0; stream < 2; stream++)
        {
            var trackId = tracks[stream].TrackId;
            var probed = expected.Where(p => p[0] == stream.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
            var read = samples.Where(s => s.TrackId == trackId).ToList();
            Assert.Equal(probed.Select(p => int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture)), read.Select(s => s.Data.Length));
            if (stream == 0)
            {
                Assert.Equal(probed.Select(p => p[2].StartsWith('K')), read.Select(s => s.IsSync));
            }
        }
    }

    private static byte[] Avcc(byte[] nal)
    {
        var sample = new byte[4 + nal.Length];
        BinaryPrimitives.WriteInt32BigEndian(sample, nal.Length);
        nal.CopyTo(sample, 4);
        return sample;
    }

    private sealed record Packet(byte Channel, byte[] Raw)
    {
        public bool Marker => (Raw[1] & 0x80) != 0;

        public ushort Sequence => BinaryPrimitives.ReadUInt16BigEndian(Raw.AsSpan(2));

        public uint Timestamp => BinaryPrimitives.ReadUInt32BigEndian(Raw.AsSpan(4));

        public byte[] Payload => Raw[12..];
    }

    private static List<Packet> Packets(ReadOnlyMemory<byte> interleaved)
    {
        var packets = new List<Packet>();
        var span = interleaved.Span;
        while (span.Length > 0)
        {
            Assert.Equal((byte)'$', span[0]);
            var length = BinaryPrimitives.ReadUInt16BigEndian(span[2..]);
            packets.Add(new Packet(span[1], span.Slice(4, length).ToArray()));
            span = span[(4 + length)..];
        }

        return packets;
    }

    private static async Task<string> RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cancel.Token);
        Assert.True(process.ExitCode == 0, $"{program} failed: {await error}");
        return await output;
    }
}
