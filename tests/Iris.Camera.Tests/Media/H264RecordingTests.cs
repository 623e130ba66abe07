using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Iris.Camera.Media;
using Iris.Camera.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Media;

/// <summary>
/// H.264 recordings (format 3: sealed fragmented MP4): nothing readable on disk, the download is a standard MP4
/// that ffprobe and ffmpeg (not our code) find complete with the right frame rate and duration, and a damaged
/// segment is refused. SIGKILL mid-segment is <see cref="RecordingCrashTests"/> with the h264 format.
/// </summary>
public sealed class H264RecordingTests
{
    private static Uri Api(string path) => new(path, UriKind.Relative);

    internal static void H264Segments(Microsoft.AspNetCore.Builder.WebApplicationBuilder builder)
    {
        RecordingTests.OneSecondSegments(builder);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Iris:Media:RecordingFormat"] = "h264" });
    }

    [Fact]
    public async Task Recording_IsSealedOnDisk_AndExportsAStandardMp4_WithTheRightRateAndDuration_ThatDecodesFully()
    {
        await using var camera = await InProcessCamera.StartAsync(configure: H264Segments);
        using var admin = await camera.ClaimAsync();
        using (var mic = await admin.Http.PutAsJsonAsync(Api("/api/media/video"), new { source = "test-pattern", width = 320, height = 240, framesPerSecond = 10, microphone = true }))
        {
            Assert.Equal(HttpStatusCode.OK, mic.StatusCode);
        }

        var completed = SegmentsCompleted(camera, 2);
        using (var on = await admin.Http.PutAsJsonAsync(Api("/api/recordings/settings"), new { mode = "continuous" }))
        {
            Assert.Equal(HttpStatusCode.OK, on.StatusCode);
        }

        await completed.WaitAsync(TimeSpan.FromSeconds(60));
        using (await admin.Http.PutAsJsonAsync(Api("/api/recordings/settings"), new { mode = "off" }))
        {
        }

        var segments = await admin.Http.GetFromJsonAsync<List<RecordingSegment>>(Api("/api/recordings"));
        var first = segments![0];
        var files = Directory.GetFiles(Path.Combine(camera.DataDirectory, "recordings"), "*.seg");
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var bytes = await File.ReadAllBytesAsync(file);
            Assert.Equal(3, bytes[4]); // format 3
            Assert.Equal(-1, bytes.AsSpan().IndexOf("ftyp"u8));
            Assert.Equal(-1, bytes.AsSpan().IndexOf("moof"u8));
            Assert.Equal(-1, bytes.AsSpan().IndexOf("avc1"u8));
        }

        using var download = await admin.Http.GetAsync(Api($"/api/recordings/{first.Id}"));
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("video/mp4", download.Content.Headers.ContentType!.MediaType);
        Assert.Equal($"recording-{first.Id}.mp4", download.Content.Headers.ContentDisposition!.FileName);
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, "export.mp4");
        await File.WriteAllBytesAsync(path, await download.Content.ReadAsByteArrayAsync());

        var probe = await MediaTools.ProbeAsync(path);
        Assert.Equal(0, probe.ExitCode);
        var values = probe.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1].Trim('"'));
        Assert.Equal("h264", values["streams.stream.0.codec_name"]);
        Assert.Equal("10/1", values["streams.stream.0.r_frame_rate"]);
        // The average over the file: the last frame's duration is the fragmenter's estimate, so within one frame.
        var average = values["streams.stream.0.avg_frame_rate"].Split('/').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        Assert.InRange(average[0] / average[1], 9.5, 10.5);
        Assert.Equal("aac", values["streams.stream.1.codec_name"]);
        // The duration players show is the frames the file holds at 10 fps, within one frame (0.1 s).
        var videoFrames = int.Parse(values["streams.stream.0.nb_frames"], CultureInfo.InvariantCulture);
        var duration = double.Parse(values["format.duration"], CultureInfo.InvariantCulture);
        Assert.True(videoFrames >= 10, $"only {videoFrames} frames in a one-second segment");
        Assert.InRange(duration, (videoFrames / 10.0) - 0.1, (videoFrames / 10.0) + 0.1);
        var decode = await MediaTools.DecodeAsync(path);
        Assert.True(decode.ExitCode == 0 && decode.Errors.Length == 0, decode.Errors);

        // Inline for the player: byte ranges, so the video element can seek.
        using var ranged = new HttpRequestMessage(HttpMethod.Get, Api($"/api/recordings/{first.Id}?play=true"));
        ranged.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(100, 199);
        using var part = await admin.Http.SendAsync(ranged);
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal(100, (await part.Content.ReadAsByteArrayAsync()).Length);
    }

    [Fact]
    public async Task ADamagedSegment_IsRefused_NotPlayed()
    {
        await using var camera = await InProcessCamera.StartAsync(configure: H264Segments);
        using var admin = await camera.ClaimAsync();
        var completed = SegmentsCompleted(camera, 1);
        using (var on = await admin.Http.PutAsJsonAsync(Api("/api/recordings/settings"), new { mode = "continuous" }))
        {
            Assert.Equal(HttpStatusCode.OK, on.StatusCode);
        }

        await completed.WaitAsync(TimeSpan.FromSeconds(60));
        using (await admin.Http.PutAsJsonAsync(Api("/api/recordings/settings"), new { mode = "off" }))
        {
        }

        var first = (await admin.Http.GetFromJsonAsync<List<RecordingSegment>>(Api("/api/recordings")))![0];
        using (var intact = await admin.Http.GetAsync(Api($"/api/recordings/{first.Id}")))
        {
            Assert.Equal(HttpStatusCode.OK, intact.StatusCode);
        }

        foreach (var file in Directory.GetFiles(Path.Combine(camera.DataDirectory, "recordings"), "*.seg"))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            bytes[bytes.Length / 2] ^= 0x01;
            await File.WriteAllBytesAsync(file, bytes);
        }

        using var refused = await admin.Http.GetAsync(Api($"/api/recordings/{first.Id}"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("recording-damaged", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static Task SegmentsCompleted(InProcessCamera camera, int count)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = 0;
        camera.App.Services.GetRequiredService<Recorder>().SegmentCompleted += _ =>
        {
            if (Interlocked.Increment(ref seen) >= count)
            {
                done.TrySetResult();
            }
        };
        return done.Task;
    }
}
