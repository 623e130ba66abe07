using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using Iris.Camera.Media;
using Iris.Camera.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Media;

/// <summary>
/// An H.264 recording is as long as the wall-clock time its segments claim, even when pictures never reach the
/// encoder (attack finding A7: the encoder timed pictures by their count, so every lost picture shortened the
/// recording, thumbnails and exports pointed at the wrong moment, and sound drifted from the picture). Judged by
/// ffprobe on what the API serves, not by our own parser.
/// </summary>
[Collection(RealTimeRecording.Name)]
public sealed class RecordingDurationTests
{
    private const double FrameSeconds = 0.1;

    private static Uri Api(string path) => new(path, UriKind.Relative);

    [Fact]
    public async Task ASourceThatLosesHalfItsPictures_StillRecordsSegmentsAsLongAsTheirWallClockSpan_WithSoundAsLongAsThePicture()
    {
        await using var camera = await InProcessCamera.StartAsync(configure: builder =>
        {
            RecordingTests.OneSecondSegments(builder);
            // Registered before the modules: the test pattern, of which only the first half of every second arrives.
            builder.Services.AddSingleton<IFrameSource>(sp => new HalfLostSource(sp.GetRequiredService<TestPatternSource>()));
        });
        using var admin = await camera.ClaimAsync();
        using (var sound = await admin.Http.PutAsJsonAsync(Api("/api/media/video"), new { source = "test-pattern", width = 320, height = 240, framesPerSecond = 10, microphone = true }))
        {
            Assert.Equal(HttpStatusCode.OK, sound.StatusCode);
        }

        var completed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = 0;
        camera.App.Services.GetRequiredService<Recorder>().SegmentCompleted += _ =>
        {
            if (Interlocked.Increment(ref seen) >= 4)
            {
                completed.TrySetResult();
            }
        };
        using (var on = await admin.Http.PutAsJsonAsync(Api("/api/recordings/settings"), new { mode = "continuous" }))
        {
            Assert.Equal(HttpStatusCode.OK, on.StatusCode);
        }

        await completed.Task.WaitAsync(TimeSpan.FromSeconds(90));
        using (await admin.Http.PutAsJsonAsync(Api("/api/recordings/settings"), new { mode = "off" }))
        {
        }

        using var temp = new TempDirectory();
        var segments = (await admin.Http.GetFromJsonAsync<List<RecordingSegment>>(Api("/api/recordings")))!;
        foreach (var segment in segments.Take(4))
        {
            var path = Path.Combine(temp.Path, $"segment-{segment.Id}.mp4");
            await File.WriteAllBytesAsync(path, await admin.Http.GetByteArrayAsync(Api($"/api/recordings/{segment.Id}")));
            var (video, audio) = await StreamDurationsAsync(path);

            // The segment claims its first fragment's arrival to its last one's, and the last picture lasts a frame.
            var claimed = (segment.EndedAt - segment.StartedAt).TotalSeconds + FrameSeconds;
            Assert.True(Math.Abs(video - claimed) <= FrameSeconds, $"segment {segment.Id}: {video:0.000} s of video for {claimed:0.000} s of wall clock");
            Assert.True(Math.Abs(audio - video) <= FrameSeconds, $"segment {segment.Id}: {audio:0.000} s of sound for {video:0.000} s of video");
        }
    }

    /// <summary>Each stream's own duration (video, audio) as ffprobe reads it.</summary>
    private static async Task<(double Video, double Audio)> StreamDurationsAsync(string path)
    {
        var probe = await MediaTools.RunAsync("ffprobe", ["-v", "error", "-show_entries", "stream=codec_type,duration", "-of", "flat", path]);
        Assert.True(probe.ExitCode == 0, probe.Errors);
        var values = MediaTools.Values(probe.Output);
        double Duration(string type) => double.Parse(
            values.Single(v => v.Key.EndsWith(".duration", StringComparison.Ordinal) && values[v.Key.Replace(".duration", ".codec_type", StringComparison.Ordinal)] == type).Value,
            CultureInfo.InvariantCulture);
        return (Duration("video"), Duration("audio"));
    }

    /// <summary>A camera that loses pictures: of the test pattern's, only those in the first half of each second arrive.</summary>
    private sealed class HalfLostSource(TestPatternSource pattern) : IFrameSource
    {
        public string Name => "half-lost";

        public async IAsyncEnumerable<VideoFrame> CaptureAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await foreach (var frame in pattern.CaptureAsync(cancellationToken))
            {
                if (frame.CapturedAt.Millisecond < 500)
                {
                    yield return frame;
                }
            }
        }
    }
}
