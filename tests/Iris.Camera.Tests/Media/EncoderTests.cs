using System.Buffers.Binary;
using Iris.Camera.Media;

namespace Iris.Camera.Tests.Media;

/// <summary>
/// The encoder child's confinement (the video source rules extended to the encoder and audio device), and the cutting
/// of its output into whole boxes: 64-bit sizes, impossible sizes refused, keyframes recognised from the flags.
/// </summary>
public sealed class EncoderTests
{
    private static readonly ActiveVideo Video = new(MediaOptions.TestPatternSource, "/dev/video0", "", 640, 480, 15);

    [Theory]
    [InlineData("libx265")]
    [InlineData("libx264 -vf movie=/etc/shadow")]
    [InlineData("")]
    public void UnknownEncoders_AreRefused_ByTheOptions_AndTheArguments(string encoder)
    {
        var options = new MediaOptions { Encoder = encoder };

        Assert.Contains(options.Validate(), e => e.StartsWith("Iris:Media:Encoder:", StringComparison.Ordinal));
        Assert.Throws<ArgumentException>(() => EncoderArguments.Build(Video, encoder, AudioInput.None, ""));
    }

    [Theory]
    [InlineData("hw:0,0", true)]
    [InlineData("hw:12,3", true)]
    [InlineData("default", true)]
    [InlineData("plughw:0,0", false)]
    [InlineData("hw:0,0,0", false)]
    [InlineData("/dev/snd/pcmC0D0c", false)]
    [InlineData("default -f lavfi", false)]
    [InlineData("file:/etc/passwd", false)]
    public void AudioDevices_OnlyDefaultAndNumberedHardware(string device, bool accepted)
    {
        Assert.Equal(accepted, VideoSourceRules.AudioDeviceProblem(device) is null);
        Assert.Equal(accepted, !new MediaOptions { AudioDevice = device }.Validate().Any(e => e.StartsWith("Iris:Media:AudioDevice:", StringComparison.Ordinal)));
        if (!accepted)
        {
            Assert.Throws<ArgumentException>(() => EncoderArguments.Build(Video with { Source = MediaOptions.V4l2Source, Microphone = true }, "libx264", AudioInput.Alsa, device));
        }
    }

    [Fact]
    public void Arguments_ReadOnlyTheirPipesAndSocket_WithForcedFormats_AndNoGenerator()
    {
        var args = EncoderArguments.Build(Video with { Microphone = true }, "libx264", AudioInput.TestTone, "/tmp/iris-encoder-x/audio.sock").ToList();

        Assert.DoesNotContain(args, a => a.Contains("lavfi", StringComparison.Ordinal) || a.StartsWith("file", StringComparison.Ordinal) || a.Contains("http", StringComparison.Ordinal));
        Assert.Equal(["pipe:0", "unix:/tmp/iris-encoder-x/audio.sock"], args.Select((a, i) => (a, i)).Where(p => p.i > 0 && args[p.i - 1] == "-i").Select(p => p.a));
        Assert.Equal(["pipe", "unix"], args.Select((a, i) => (a, i)).Where(p => p.i > 0 && args[p.i - 1] == "-protocol_whitelist").Select(p => p.a));
        Assert.Equal(["matroska", "s16le"], args.Select((a, i) => (a, i)).Where(p => p.i > 0 && args[p.i - 1] == "-f").Select(p => p.a).Take(2));
        Assert.Equal("pipe:1", args[^1]);
        Assert.Contains("aac", args);
    }

    [Fact]
    public void MicrophoneOff_MeansNoAudioInputAndNoAudioTrack()
    {
        var args = EncoderArguments.Build(Video, "libx264", AudioInput.None, "").ToList();

        Assert.Single(args, "-i");
        Assert.Contains("-an", args);
        Assert.DoesNotContain("1:a", args);
    }

    [Fact]
    public async Task Splitter_GivesInitThenWholeFragments_With64BitSizes()
    {
        var ftyp = Box("ftyp", new byte[12]);
        var moov = LargeBox("moov", new byte[40]);
        var moof1 = Moof(keyframe: true);
        var mdat1 = LargeBox("mdat", [1, 2, 3]);
        var moof2 = Moof(keyframe: false);
        var mdat2 = Box("mdat", [4, 5]);
        var stream = new MemoryStream([.. ftyp, .. moov, .. moof1, .. mdat1, .. moof2, .. mdat2]);

        var pieces = await ToListAsync(Fmp4Splitter.SplitAsync(stream, CancellationToken.None));

        Assert.Equal(3, pieces.Count);
        Assert.True(pieces[0].IsInitialization);
        Assert.Equal([.. ftyp, .. moov], pieces[0].Bytes.ToArray());
        Assert.Equal([.. moof1, .. mdat1], pieces[1].Bytes.ToArray());
        Assert.True(pieces[1].StartsWithKeyframe);
        Assert.Equal([.. moof2, .. mdat2], pieces[2].Bytes.ToArray());
        Assert.False(pieces[2].StartsWithKeyframe);
    }

    [Theory]
    [InlineData(0u)]          // "to the end of the file": a live stream has none
    [InlineData(4u)]          // smaller than its own header
    [InlineData(0x7FFFFFFFu)] // larger than any fragment may be
    public async Task Splitter_RefusesImpossibleSizes(uint size)
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, size);
        "ftyp"u8.CopyTo(bytes.AsSpan(4));

        await Assert.ThrowsAsync<InvalidDataException>(() => ToListAsync(Fmp4Splitter.SplitAsync(new MemoryStream(bytes), CancellationToken.None)));
    }

    [Fact]
    public async Task Splitter_RefusesATruncatedBox_RatherThanHandingOnHalf()
    {
        var ftyp = Box("ftyp", new byte[12]);
        var stream = new MemoryStream(ftyp[..^3]);

        await Assert.ThrowsAnyAsync<EndOfStreamException>(() => ToListAsync(Fmp4Splitter.SplitAsync(stream, CancellationToken.None)));
    }

    [Fact]
    public void TestTone_StaysInStepWithTheFrames_AtRatesThatDoNotDivideTheSampleRate()
    {
        var tone = new TestTone(framesPerSecond: 7);

        // Frames at their media times (whole milliseconds, as the encoder's input carries them): three seconds of
        // frames get three seconds of sound, to within that millisecond.
        var samples = Enumerable.Range(0, 7 * 3).Sum(i => tone.NextFrame(i * 1000L / 7).Length / 2);

        Assert.InRange(samples, (3 * 48000) - 48, 3 * 48000);
    }

    [Fact]
    public void TestTone_CoversAGapBetweenFrames_SoSoundKeepsTheFramesClock()
    {
        var tone = new TestTone(framesPerSecond: 10);

        var before = Enumerable.Range(0, 10).Sum(i => tone.NextFrame(i * 100L).Length / 2);
        // The next picture arrives two seconds after the last one (frames were lost on the way): its sound covers the gap.
        var afterGap = tone.NextFrame(2900).Length / 2;
        var early = tone.NextFrame(2950).Length / 2;

        Assert.Equal(48000, before);
        Assert.Equal(2 * 48000, afterGap);
        Assert.Equal(48000 / 20, early);
    }

    [Fact]
    public void CaptureTimeline_FollowsCaptureTimes_ButNeverGoesBack_AndTakesAClockLeapForOneFrame()
    {
        var timeline = new CaptureTimeline(framesPerSecond: 10);
        var start = new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);

        var times = new[]
        {
            start, start.AddMilliseconds(100), start.AddMilliseconds(700), // a gap of five lost pictures
            start.AddMilliseconds(650), // the clock was set back
            start.AddHours(3), // the clock leapt forward
            start.AddHours(3).AddMilliseconds(100),
        }.Select(t => timeline.Next(t).TotalMilliseconds).ToList();

        Assert.Equal(new double[] { 0, 100, 700, 800, 900, 1000 }, times);
        Assert.Equal(start, timeline.Origin);
    }

    [Fact]
    public void StreamSound_IsPacedOutInStepWithTheFrames_HoweverItArrives()
    {
        var pacer = new StreamSoundPacer(framesPerSecond: 7);
        var third = Enumerable.Repeat((byte)0x40, 48000 * 2 / 3).ToArray();

        // A second of sound in three bursts over three seconds of frames: every frame still gets exactly its share,
        // the gaps are silence, and none of the sound is lost.
        var shares = Enumerable.Range(0, 7 * 3).Select(i => Next(pacer, i % 7 == 0 ? third : null, i * 1000L / 7)).ToList();

        Assert.InRange(shares.Sum(s => s.Length / 2), (3 * 48000) - 48, 3 * 48000);
        Assert.Equal(48000 * 2, shares.Sum(s => s.Count(b => b == 0x40)));
    }

    [Fact]
    public void StreamSound_StartsOnlyWithEnoughWaiting_AndNeverLagsMoreThanHalfASecond()
    {
        var pacer = new StreamSoundPacer(framesPerSecond: 10);
        var share = 48000 / 10 * 2;

        Assert.All(Next(pacer, new byte[StreamSoundPacer.StartBytes - 2], 0), b => Assert.Equal(0, b));
        var first = Next(pacer, Enumerable.Repeat((byte)1, 4).ToArray(), 100);
        Assert.Equal(share, first.Length);

        var flood = Enumerable.Repeat((byte)2, 48000 * 2 * 3).ToArray();
        var afterFlood = Enumerable.Range(0, 30).Select(i => Next(pacer, i == 0 ? flood : null, 200 + (i * 100L))).ToList();
        Assert.Equal(StreamSoundPacer.StartBytes, afterFlood.Sum(s => s.Count(b => b == 2)));
    }

    private static byte[] Next(StreamSoundPacer pacer, byte[]? arrived, long atMilliseconds)
    {
        pacer.Add(arrived);
        return pacer.NextFrame(atMilliseconds);
    }

    private static async Task<List<MediaFragment>> ToListAsync(IAsyncEnumerable<MediaFragment> pieces)
    {
        var list = new List<MediaFragment>();
        await foreach (var piece in pieces)
        {
            list.Add(piece);
        }

        return list;
    }

    private static byte[] Box(string type, byte[] content)
    {
        var box = new byte[8 + content.Length];
        BinaryPrimitives.WriteUInt32BigEndian(box, (uint)box.Length);
        System.Text.Encoding.ASCII.GetBytes(type).CopyTo(box, 4);
        content.CopyTo(box, 8);
        return box;
    }

    private static byte[] LargeBox(string type, byte[] content)
    {
        var box = new byte[16 + content.Length];
        BinaryPrimitives.WriteUInt32BigEndian(box, 1);
        System.Text.Encoding.ASCII.GetBytes(type).CopyTo(box, 4);
        BinaryPrimitives.WriteInt64BigEndian(box.AsSpan(8), box.Length);
        content.CopyTo(box, 16);
        return box;
    }

    /// <summary>moof > traf > (tfhd with default flags "non-sync", trun with first-sample flags sync or not), as ffmpeg writes them.</summary>
    private static byte[] Moof(bool keyframe)
    {
        var tfhd = new byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(tfhd, 0x020020); // default-base-is-moof, default-sample-flags present
        BinaryPrimitives.WriteUInt32BigEndian(tfhd.AsSpan(4), 1); // track 1
        var tfhdBox = Box("tfhd", [.. tfhd, 0x01, 0x01, 0x00, 0x00]); // default: depends on others, non-sync
        var trun = new byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(trun, 0x000005); // data offset, first-sample flags
        BinaryPrimitives.WriteUInt32BigEndian(trun.AsSpan(4), 1);
        BinaryPrimitives.WriteUInt32BigEndian(trun.AsSpan(12), keyframe ? 0x02000000u : 0x01010000u);
        return Box("moof", Box("traf", [.. tfhdBox, .. Box("trun", trun)]));
    }
}
