using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Iris.Camera.Media;
using Iris.Camera.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Media;

/// <summary>
/// A time range across H.264 segments downloads as one MP4 that ffprobe and ffmpeg (not our code) find as long as
/// the range (within one frame) and complete; same permission as one segment's download. Runs alone: it compares
/// a real-time recording with the wall clock. Pictures lost on the way (a saturated CPU) no longer shorten a
/// recording, since the encoder times them by their capture (attack finding A7, <see cref="RecordingDurationTests"/>).
/// </summary>
[Collection(RealTimeRecording.Name)]
public sealed class RangeExportTests
{
    private static Uri Api(string path) => new(path, UriKind.Relative);

    private static string Time(DateTimeOffset at) => Uri.EscapeDataString(at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));

    [Fact]
    public async Task ARangeAcrossThreeSegments_IsOneMp4_AsLongAsTheRange_ThatDecodesFully()
    {
        await using var camera = await InProcessCamera.StartAsync(configure: RecordingTests.OneSecondSegments);
        using var admin = await camera.ClaimAsync();
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

        // Three segments written one after the other by one encoder run: from inside the first to inside the third.
        var segments = (await admin.Http.GetFromJsonAsync<List<RecordingSegment>>(Api("/api/recordings")))!;
        var first = segments[1];
        var third = segments[3];
        var from = first.StartedAt.AddMilliseconds(350);
        var to = third.EndedAt.AddMilliseconds(-250);

        using var download = await admin.Http.GetAsync(Api($"/api/recordings/export?from={Time(from)}&to={Time(to)}"));
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("video/mp4", download.Content.Headers.ContentType!.MediaType);
        Assert.EndsWith(".mp4", download.Content.Headers.ContentDisposition!.FileName, StringComparison.Ordinal);
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, "range.mp4");
        await File.WriteAllBytesAsync(path, await download.Content.ReadAsByteArrayAsync());

        var values = await MediaTools.ProbeValuesAsync(path);
        Assert.Equal("h264", values["streams.stream.0.codec_name"]);
        Assert.Equal("320", values["streams.stream.0.width"]);
        var duration = double.Parse(values["format.duration"], CultureInfo.InvariantCulture);
        // One frame at 10 fps.
        Assert.InRange(duration, (to - from).TotalSeconds - 0.1, (to - from).TotalSeconds + 0.1);
        var decode = await MediaTools.DecodeAsync(path);
        Assert.True(decode.ExitCode == 0 && decode.Errors.Length == 0, decode.Errors);
    }

    [Fact]
    public async Task ARangeExport_UsesTheConfiguredEncoder_AndWhenItCannotRun_SaysSoAsAProblem()
    {
        using var data = new TempDirectory();
        DateTimeOffset from, to;
        await using (var camera = await InProcessCamera.StartAsync(data.Path, RecordingTests.OneSecondSegments))
        {
            using var admin = await camera.ClaimAsync();
            var completed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            camera.App.Services.GetRequiredService<Recorder>().SegmentCompleted += _ => completed.TrySetResult();
            using (await admin.Http.PutAsJsonAsync(Api("/api/recordings/settings"), new { mode = "continuous" }))
            {
            }

            await completed.Task.WaitAsync(TimeSpan.FromSeconds(90));
            using (await admin.Http.PutAsJsonAsync(Api("/api/recordings/settings"), new { mode = "off" }))
            {
            }

            var segment = (await admin.Http.GetFromJsonAsync<List<RecordingSegment>>(Api("/api/recordings")))![0];
            (from, to) = (segment.StartedAt, segment.EndedAt);
        }

        // The same H.264 recordings on a board configured for VA-API, which this machine does not have (no /dev/dri).
        await using var restarted = await InProcessCamera.StartAsync(data.Path, builder =>
        {
            RecordingTests.OneSecondSegments(builder);
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Iris:Media:Encoder"] = "h264_vaapi" });
        });
        using var owner = await restarted.SignInAsync("admin", InProcessCamera.OwnerPassword);

        using var export = await owner.Http.GetAsync(Api($"/api/recordings/export?from={Time(from)}&to={Time(to)}"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, export.StatusCode);
        Assert.Equal("application/problem+json", export.Content.Headers.ContentType!.MediaType);
        var problem = await export.Content.ReadAsStringAsync();
        Assert.Contains("export-encoder-failed", problem, StringComparison.Ordinal);
        Assert.Contains("h264_vaapi", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("/dev/shm", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhileAnExportIsBeingMade_OneMoreIsRefusedAtOnce_WithRetryAfter()
    {
        await using var camera = await InProcessCamera.StartAsync(configure: RecordingTests.OneSecondSegments);
        using var admin = await camera.ClaimAsync();
        var limit = camera.App.Services.GetRequiredService<MediaWorkLimit>();
        var now = DateTimeOffset.UtcNow;
        var export = limit.TryExport();

        using var secondExport = await admin.Http.GetAsync(Api($"/api/recordings/export?from={Time(now.AddMinutes(-1))}&to={Time(now)}"));
        export!.Dispose();
        using var afterwards = await admin.Http.GetAsync(Api($"/api/recordings/export?from={Time(now.AddMinutes(-1))}&to={Time(now)}"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, secondExport.StatusCode);
        Assert.Equal("application/problem+json", secondExport.Content.Headers.ContentType!.MediaType);
        Assert.NotNull(secondExport.Headers.RetryAfter);
        Assert.Contains("media-busy", await secondExport.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, afterwards.StatusCode);
    }

    [Fact]
    public async Task ARangeExport_NeedsASession_AndABoundedRange()
    {
        await using var camera = await InProcessCamera.StartAsync(configure: RecordingTests.OneSecondSegments);
        using var admin = await camera.ClaimAsync();
        var now = DateTimeOffset.UtcNow;

        using var anonymous = await camera.Client.GetAsync(Api($"/api/recordings/export?from={Time(now.AddMinutes(-1))}&to={Time(now)}"));
        using var tooLong = await admin.Http.GetAsync(Api($"/api/recordings/export?from={Time(now.AddHours(-1))}&to={Time(now)}"));
        using var backwards = await admin.Http.GetAsync(Api($"/api/recordings/export?from={Time(now)}&to={Time(now.AddMinutes(-1))}"));
        using var empty = await admin.Http.GetAsync(Api($"/api/recordings/export?from={Time(now.AddMinutes(-1))}&to={Time(now)}"));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, backwards.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, empty.StatusCode);
    }
}

/// <summary>Tests that hold a recording to the wall clock run one at a time, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealTimeRecording
{
    public const string Name = "Real-time recording";
}
