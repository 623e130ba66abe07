using System.Diagnostics;
using Iris.Camera.Media;
using Iris.Camera.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using SkiaSharp;

namespace Iris.Camera.Tests.Media;

/// <summary>The ffmpeg-backed source (Debian ffmpeg, installed by scripts/test.sh), its confinement, and its supervision.</summary>
public sealed class FfmpegSourceTests
{
    private static (ActiveVideo Video, MediaOptions Options) Stream(MjpegStreamServer server, string path = "live.mjpeg", string? caFile = null)
    {
        var options = new MediaOptions { StreamCaCertificateFile = caFile ?? server.CaFile, SignalTimeout = TimeSpan.FromSeconds(5) };
        return (new ActiveVideo(MediaOptions.StreamSource, "/dev/video0", server.Url(path), 320, 240, 10), options);
    }

    private static FfmpegSource Source((ActiveVideo Video, MediaOptions Options) stream) =>
        new(new FixedVideoSettings(stream.Video), stream.Options, TimeProvider.System, NullLogger<FfmpegSource>.Instance);

    [Fact]
    public async Task StreamSource_DeliversJpegFramesAtTheConfiguredSize()
    {
        await using var server = await MjpegStreamServer.StartAsync();
        var stream = Stream(server);
        stream.Video = stream.Video with { Width = 160, Height = 120 };
        var source = Source(stream);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var frames = new List<VideoFrame>();

        await foreach (var frame in source.CaptureAsync(cancel.Token))
        {
            frames.Add(frame);
            if (frames.Count == 3)
            {
                break;
            }
        }

        Assert.Equal(3, frames.Count);
        foreach (var frame in frames)
        {
            using var codec = SKCodec.Create(SKData.CreateCopy(frame.Jpeg.Span));
            Assert.Equal(SKEncodedImageFormat.Jpeg, codec.EncodedFormat);
            Assert.Equal(160, codec.Info.Width);
            Assert.Equal(120, codec.Info.Height);
        }

        Assert.Equal(0, source.ProcessId);
    }

    [Fact]
    public async Task KilledFfmpeg_IsRestarted_AndFramesResume()
    {
        await using var server = await MjpegStreamServer.StartAsync();
        var stream = Stream(server);
        var source = Source(stream);
        await using var hub = new FrameHub(source, stream.Options, TimeProvider.System, NullLogger<FrameHub>.Instance);
        Assert.Equal(SubscribeResult.Subscribed, hub.TrySubscribe(false, out var subscription));
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await subscription!.Frames.ReadAsync(cancel.Token);
        var first = source.ProcessId;
        Assert.NotEqual(0, first);

        using (var ffmpeg = Process.GetProcessById(first))
        {
            ffmpeg.Kill(); // as if the camera process crashed
            await ffmpeg.WaitForExitAsync(cancel.Token);
        }

        VideoFrame next;
        do
        {
            next = await subscription.Frames.ReadAsync(cancel.Token);
        }
        while (source.ProcessId is 0 || source.ProcessId == first);

        Assert.True(MjpegReader.IsJpeg(next.Jpeg.ToArray()));
        Assert.NotEqual(first, source.ProcessId);
        subscription.Dispose();
    }

    [Theory]
    [InlineData(MediaOptions.StreamSource, "/dev/video0", "-i /etc/passwd")]
    [InlineData(MediaOptions.StreamSource, "/dev/video0", "")]
    [InlineData(MediaOptions.V4l2Source, "/etc/passwd", "")]
    [InlineData("rtsp-server", "/dev/video0", "")]
    [InlineData(MediaOptions.StreamSource, "/dev/video0", "lavfi:testsrc2,drawtext=textfile=/etc/passwd")]
    [InlineData(MediaOptions.StreamSource, "/dev/video0", "/etc/passwd")]
    [InlineData(MediaOptions.StreamSource, "/dev/video0", "file:///etc/passwd")]
    [InlineData(MediaOptions.StreamSource, "/dev/video0", "http://192.0.2.1/stream.mjpeg")]
    [InlineData(MediaOptions.StreamSource, "/dev/video0", "rtsp://192.0.2.1/stream")]
    [InlineData(MediaOptions.StreamSource, "/dev/video0", "rtsps://192.0.2.1/stream")]
    [InlineData(MediaOptions.TestPatternSource, "/dev/video0", "lavfi:testsrc,metadata=mode=print:file=/tmp/x")]
    public void UnsafeOrUnknownSourceSettings_AreRefused(string sourceName, string device, string url)
    {
        var options = new MediaOptions { Source = sourceName, Device = device, StreamUrl = url, StreamCaCertificateFile = "/etc/hostname" };

        Assert.NotEmpty(options.Validate());
    }

    [Fact]
    public void HttpsStream_WithoutAConfiguredCa_IsRefused()
    {
        var options = new MediaOptions { Source = MediaOptions.StreamSource, StreamUrl = "https://192.0.2.1/live.mjpeg" };

        Assert.Contains(options.Validate(), e => e.Contains("StreamCaCertificateFile", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AMissingCamera_IsReportedByItsDevice_WithoutFfmpegsMemoryAddresses()
    {
        var video = new ActiveVideo(MediaOptions.V4l2Source, "/dev/video9", "", 320, 240, 10);
        var source = new FfmpegSource(new FixedVideoSettings(video), new MediaOptions(), TimeProvider.System, NullLogger<FfmpegSource>.Instance);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var lost = await Assert.ThrowsAsync<FrameSourceException>(async () =>
        {
            await foreach (var _ in source.CaptureAsync(cancel.Token))
            {
            }
        });

        Assert.Contains("/dev/video9", lost.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("@ 0x", lost.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void V4l2Arguments_NameTheDevice_AndAskForMjpegOnStandardOutput()
    {
        var args = FfmpegSource.Arguments(new ActiveVideo(MediaOptions.V4l2Source, "/dev/video2", "", 640, 480, 15), 80).ToList();

        Assert.Equal("/dev/video2", args[args.IndexOf("-i") + 1]);
        Assert.Equal("v4l2", args[args.IndexOf("-f") + 1]);
        Assert.Equal("v4l2", args[args.IndexOf("-format_whitelist") + 1]);
        Assert.Equal("pipe:1", args[^1]);
    }

    [Fact]
    public void StreamArguments_GiveFfmpegOnlyItsPipe_NeverTheUrl()
    {
        const string url = "https://viewer:secret@192.0.2.1/live.mjpeg";
        var args = FfmpegSource.Arguments(new ActiveVideo(MediaOptions.StreamSource, "/dev/video0", url, 640, 480, 15), 80).ToList();

        Assert.Equal("pipe:0", args[args.IndexOf("-i") + 1]);
        Assert.Equal("pipe", args[args.IndexOf("-protocol_whitelist") + 1]);
        Assert.Equal("mpjpeg,mjpeg,mpegts", args[args.IndexOf("-format_whitelist") + 1]);
        Assert.DoesNotContain(args, a => a.Contains("192.0.2.1", StringComparison.Ordinal) || a.Contains("lavfi", StringComparison.Ordinal) || a.Contains("file", StringComparison.Ordinal));
    }

    [Fact]
    public void StreamArguments_WithSound_SendItOnlyToTheDaemonsSocket_AsRawPcm_WithNoFilter()
    {
        const string url = "https://viewer:secret@192.0.2.1/live.ts";
        var video = new ActiveVideo(MediaOptions.StreamSource, "/dev/video0", url, 640, 480, 15, Microphone: true);
        var args = FfmpegSource.Arguments(video, 80, "/tmp/iris-sound-x/sound.sock").ToList();

        Assert.Equal(["pipe:0"], args.Select((a, i) => (a, i)).Where(p => p.i > 0 && args[p.i - 1] == "-i").Select(p => p.a));
        Assert.Equal(["pipe", "unix"], args.Select((a, i) => (a, i)).Where(p => p.i > 0 && args[p.i - 1] == "-protocol_whitelist").Select(p => p.a));
        Assert.Equal("unix:/tmp/iris-sound-x/sound.sock", args[^1]);
        Assert.Equal("s16le", args[args.LastIndexOf("-f") + 1]);
        Assert.DoesNotContain("-af", args);
        Assert.Single(args, "-vf");
        Assert.DoesNotContain(args, a => a.Contains("192.0.2.1", StringComparison.Ordinal) || a.Contains("lavfi", StringComparison.Ordinal) || a.Contains("file", StringComparison.Ordinal));
        Assert.DoesNotContain(FfmpegSource.Arguments(video with { Source = MediaOptions.V4l2Source }, 80, "/tmp/iris-sound-x/sound.sock"), a => a.StartsWith("unix:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task HostileStreamContent_ThatNamesALocalFile_IsRefusedByFfmpeg(bool microphone)
    {
        await using var server = await MjpegStreamServer.StartAsync();
        var stream = Stream(server, "concat");
        stream.Video = stream.Video with { Microphone = microphone };
        var source = Source(stream);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var frames = 0;

        var lost = await Assert.ThrowsAsync<FrameSourceException>(async () =>
        {
            await foreach (var _ in source.CaptureAsync(cancel.Token))
            {
                frames++;
            }
        });

        Assert.Equal(0, frames);
        Assert.Contains("whitelist", lost.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("root:", lost.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamFromAServerTheCaDidNotIssue_IsRefusedBeforeFfmpegStarts()
    {
        await using var server = await MjpegStreamServer.StartAsync();
        var source = Source(Stream(server, caFile: server.OtherCaFile));
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var lost = await Assert.ThrowsAsync<FrameSourceException>(async () =>
        {
            await foreach (var _ in source.CaptureAsync(cancel.Token))
            {
            }
        });

        Assert.StartsWith("no TLS connection to the stream server", lost.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", lost.Reason, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task CredentialsInTheUrl_AreSentToTheServerOnlyAsHttpAuthentication()
    {
        await using var server = await MjpegStreamServer.StartAsync();
        var stream = Stream(server, "private.mjpeg");
        stream.Video = stream.Video with { StreamUrl = stream.Video.StreamUrl.Replace("https://", $"https://{MjpegStreamServer.User}:{MjpegStreamServer.Password}@", StringComparison.Ordinal) };
        var source = Source(stream);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        await foreach (var frame in source.CaptureAsync(cancel.Token))
        {
            Assert.True(MjpegReader.IsJpeg(frame.Jpeg.ToArray()));
            break;
        }

        Assert.Contains(server.Requests, r => r.Path == "/private.mjpeg" && r.Authorization is not null && r.Authorization.StartsWith("Basic ", StringComparison.Ordinal));
    }
}
