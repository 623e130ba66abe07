using System.Diagnostics;
using Iris.Camera.Media;
using Iris.Camera.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using SkiaSharp;

namespace Iris.Camera.Tests.Media;

/// <summary>The ffmpeg-backed source (Debian ffmpeg, installed by scripts/test.sh), and its supervision.</summary>
public sealed class FfmpegSourceTests
{
    private static MediaOptions StreamOptions() => new()
    {
        Source = MediaOptions.StreamSource,
        StreamUrl = "lavfi:testsrc2=size=640x480:rate=10",
        Width = 320,
        Height = 240,
        FramesPerSecond = 10,
    };

    [Fact]
    public async Task StreamSource_DeliversJpegFramesAtTheConfiguredSize()
    {
        var source = new FfmpegSource(StreamOptions(), TimeProvider.System, NullLogger<FfmpegSource>.Instance);
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
            Assert.Equal(320, codec.Info.Width);
            Assert.Equal(240, codec.Info.Height);
        }

        Assert.Equal(0, source.ProcessId);
    }

    [Fact]
    public async Task KilledFfmpeg_IsRestarted_AndFramesResume()
    {
        var options = StreamOptions();
        var source = new FfmpegSource(options, TimeProvider.System, NullLogger<FfmpegSource>.Instance);
        await using var hub = new FrameHub(source, options, TimeProvider.System, NullLogger<FrameHub>.Instance);
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
    public void UnsafeOrUnknownSourceSettings_AreRefused(string sourceName, string device, string url)
    {
        var options = new MediaOptions { Source = sourceName, Device = device, StreamUrl = url };

        Assert.NotEmpty(options.Validate());
    }

    [Fact]
    public void V4l2Arguments_NameTheDevice_AndAskForMjpegOnStandardOutput()
    {
        var args = FfmpegSource.Arguments(new MediaOptions { Source = MediaOptions.V4l2Source, Device = "/dev/video2", Width = 640, Height = 480 });

        Assert.Equal("/dev/video2", args[args.ToList().IndexOf("-i") + 1]);
        Assert.Equal("v4l2", args[args.ToList().IndexOf("-f") + 1]);
        Assert.Equal("pipe:1", args[^1]);
    }
}
