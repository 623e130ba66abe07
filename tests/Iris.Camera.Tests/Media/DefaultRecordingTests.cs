using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Iris.Camera.Media;
using Iris.Camera.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Media;

/// <summary>
/// H.264 (format 3) is what recordings are unless configured otherwise; when its encoder cannot start they are
/// MJPEG and the recording settings say why; a deleted default segment no longer decrypts from a copy of its file.
/// </summary>
public sealed class DefaultRecordingTests
{
    private static Uri Api(string path) => new(path, UriKind.Relative);

    [Fact]
    public async Task WithNoFormatConfigured_SegmentsAreH264_AndTheSettingsSaySo()
    {
        await using var camera = await InProcessCamera.StartAsync(configure: RecordingTests.OneSecondSegments);
        using var admin = await camera.ClaimAsync();
        Assert.Equal("ok", (await SaveVideoAsync(admin)).GetProperty("encoder").GetString());
        var segment = await RecordOneAsync(camera, admin);

        Assert.Equal(SegmentFormat.Fmp4Version, SegmentVersion(camera, segment.Id));
        using var play = await admin.Http.GetAsync(Api($"/api/recordings/{segment.Id}"));
        Assert.Equal("video/mp4", play.Content.Headers.ContentType!.MediaType);
        var settings = await admin.Http.GetFromJsonAsync<JsonElement>(Api("/api/recordings/settings"));
        Assert.Equal("h264", settings.GetProperty("format").GetString());
        Assert.Equal(JsonValueKind.Null, settings.GetProperty("formatProblem").ValueKind);
    }

    [Fact]
    public async Task WhenTheEncoderCannotStart_SavingSaysSo_RecordingsAreMjpeg_AndTheSettingsSayWhy()
    {
        // The VA-API encoder needs /dev/dri, which this machine (like a board without that hardware) does not have.
        Assert.False(File.Exists("/dev/dri/renderD128"), "this test needs a machine without a VA-API device");
        await using var camera = await InProcessCamera.StartAsync(configure: builder =>
        {
            RecordingTests.OneSecondSegments(builder);
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Iris:Media:Encoder"] = "h264_vaapi" });
        });
        using var admin = await camera.ClaimAsync();
        var saved = await SaveVideoAsync(admin);
        Assert.Equal("ok", saved.GetProperty("signal").GetString());
        Assert.StartsWith("the H.264 encoder did not start", saved.GetProperty("encoder").GetString(), StringComparison.Ordinal);
        var segment = await RecordOneAsync(camera, admin);

        Assert.Equal(SegmentFormat.RandomKeyVersion, SegmentVersion(camera, segment.Id));
        using var play = await admin.Http.GetAsync(Api($"/api/recordings/{segment.Id}"));
        Assert.Equal("multipart/x-mixed-replace", play.Content.Headers.ContentType!.MediaType);
        var settings = await admin.Http.GetFromJsonAsync<JsonElement>(Api("/api/recordings/settings"));
        Assert.Equal("mjpeg", settings.GetProperty("format").GetString());
        Assert.StartsWith("the H.264 encoder did not start", settings.GetProperty("formatProblem").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeletingADefaultSegment_ErasesItsKey_SoACopyOfItsFileNoLongerDecrypts()
    {
        await using var camera = await InProcessCamera.StartAsync(configure: RecordingTests.OneSecondSegments);
        using var admin = await camera.ClaimAsync();
        var segment = await RecordOneAsync(camera, admin);
        var (file, _) = camera.App.Services.GetRequiredService<RecordingIndex>().Lookup(segment.Id)!.Value;
        var copy = await File.ReadAllBytesAsync(Path.Combine(camera.DataDirectory, "recordings", file));
        var keys = camera.App.Services.GetRequiredService<RecordingsKey>();
        Assert.NotEmpty(keys.Open(copy).Frames);

        using var delete = await admin.Http.DeleteAsync(Api($"/api/recordings/{segment.Id}"));

        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.False(File.Exists(Path.Combine(camera.DataDirectory, "recordings", file)));
        var reopened = keys.Open(copy);
        Assert.Empty(reopened.Frames);
        Assert.Equal(SegmentFormat.ReadProblem.Damaged, reopened.Problem);
    }

    /// <summary>Records continuously until one segment is complete, switches recording off, returns that segment.</summary>
    internal static async Task<RecordingSegment> RecordOneAsync(InProcessCamera camera, SignedInClient admin)
    {
        var completed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        camera.App.Services.GetRequiredService<Recorder>().SegmentCompleted += _ => completed.TrySetResult();
        using (var on = await admin.Http.PutAsJsonAsync(Api("/api/recordings/settings"), new { mode = "continuous" }))
        {
            Assert.Equal(HttpStatusCode.OK, on.StatusCode);
        }

        await completed.Task.WaitAsync(TimeSpan.FromSeconds(60));
        using (var off = await admin.Http.PutAsJsonAsync(Api("/api/recordings/settings"), new { mode = "off" }))
        {
            Assert.Equal(HttpStatusCode.OK, off.StatusCode);
        }

        return (await admin.Http.GetFromJsonAsync<List<RecordingSegment>>(Api("/api/recordings")))![0];
    }

    /// <summary>Saves the test pattern at 320x240, 10 fps; returns the answer (which waits for the picture and the encoder).</summary>
    private static async Task<JsonElement> SaveVideoAsync(SignedInClient admin)
    {
        using var saved = await admin.Http.PutAsJsonAsync(Api("/api/media/video"), new { source = "test-pattern", width = 320, height = 240, framesPerSecond = 10 });
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        return await saved.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static byte SegmentVersion(InProcessCamera camera, long id)
    {
        var (file, _) = camera.App.Services.GetRequiredService<RecordingIndex>().Lookup(id)!.Value;
        using var stream = File.OpenRead(Path.Combine(camera.DataDirectory, "recordings", file));
        var header = new byte[SegmentFormat.HeaderLength];
        stream.ReadExactly(header);
        return header[4];
    }
}
