using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Iris.Camera.Media;
using Iris.Camera.Storage;
using Iris.Camera.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Media;

/// <summary>
/// The day timeline: segments and motion events, each event tied to the segment that shows it and marked when it has
/// its own sealed picture (the one the events list shows, a small JPEG), which belongs to the event, not the segment.
/// </summary>
public sealed class RecordingTimelineTests
{
    private static Uri Api(string path) => new(path, UriKind.Relative);

    private static string Time(DateTimeOffset at) => Uri.EscapeDataString(at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));

    [Fact]
    public async Task TheTimeline_TiesEachMotionEventToItsSegment_AndShowsTheEventsOwnPicture_ASmallJpegThatOutlivesTheSegment()
    {
        await using var camera = await InProcessCamera.StartAsync(configure: RecordingTests.OneSecondSegments);
        using var admin = await camera.ClaimAsync();
        var segment = await DefaultRecordingTests.RecordOneAsync(camera, admin);
        var during = segment.StartedAt.AddMilliseconds(500);
        var before = segment.StartedAt.AddHours(-2);
        var ids = Seed(camera, before, during);
        // The detector keeps a picture of the moment it saw motion; here the second event has one, the first not.
        camera.App.Services.GetRequiredService<MotionThumbnails>().Save(ids[1], during, await admin.Http.GetByteArrayAsync(Api("/api/media/snapshot")));

        var timeline = await admin.Http.GetFromJsonAsync<JsonElement>(
            Api($"/api/recordings/timeline?from={Time(segment.StartedAt.AddHours(-12))}&to={Time(segment.StartedAt.AddHours(12))}"));

        Assert.Contains(timeline.GetProperty("segments").EnumerateArray(), s => s.GetProperty("id").GetInt64() == segment.Id);
        var motion = timeline.GetProperty("motion").EnumerateArray().ToList();
        Assert.Equal(2, motion.Count);
        Assert.Equal(JsonValueKind.Null, motion[0].GetProperty("segmentId").ValueKind);
        Assert.Equal(segment.Id, motion[1].GetProperty("segmentId").GetInt64());
        var offset = motion[1].GetProperty("offset").GetDouble();
        Assert.InRange(offset, 0.49, 0.51);
        Assert.False(motion[0].GetProperty("thumbnail").GetBoolean());
        Assert.True(motion[1].GetProperty("thumbnail").GetBoolean());

        using var thumbnail = await admin.Http.GetAsync(Api($"/api/media/motion-events/{ids[1]}/thumbnail"));
        Assert.Equal(HttpStatusCode.OK, thumbnail.StatusCode);
        Assert.Equal("image/jpeg", thumbnail.Content.Headers.ContentType!.MediaType);
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, "thumbnail.jpg");
        await File.WriteAllBytesAsync(path, await thumbnail.Content.ReadAsByteArrayAsync());
        var values = await MediaTools.ProbeValuesAsync(path);
        Assert.Equal("160", values["streams.stream.0.width"]);
        Assert.Equal("120", values["streams.stream.0.height"]);

        using (var delete = await admin.Http.DeleteAsync(Api($"/api/recordings/{segment.Id}")))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        // The picture is the event's: it stays while the event does (deleting the events, or every recording, ends it).
        var after = await admin.Http.GetFromJsonAsync<JsonElement>(
            Api($"/api/recordings/timeline?from={Time(segment.StartedAt.AddHours(-12))}&to={Time(segment.StartedAt.AddHours(12))}"));
        var stillThere = after.GetProperty("motion").EnumerateArray().Single(m => m.GetProperty("id").GetInt64() == ids[1]);
        Assert.Equal(JsonValueKind.Null, stillThere.GetProperty("segmentId").ValueKind);
        Assert.True(stillThere.GetProperty("thumbnail").GetBoolean());
        using var kept = await admin.Http.GetAsync(Api($"/api/media/motion-events/{ids[1]}/thumbnail"));
        Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
    }

    [Theory]
    [InlineData("from=2027-01-01T00:00:00Z&to=2027-01-03T00:00:00Z")]
    [InlineData("from=2027-01-02T00:00:00Z&to=2027-01-01T00:00:00Z")]
    [InlineData("from=2027-01-01T00:00:00Z")]
    [InlineData("from=&to=2027-01-01T00:00:00Z")]
    public async Task ATimelineWithoutABoundedDay_IsRefused(string query)
    {
        await using var camera = await InProcessCamera.StartAsync();
        using var admin = await camera.ClaimAsync();

        using var answer = await admin.Http.GetAsync(Api($"/api/recordings/timeline?{query}"));

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
    }

    private static List<long> Seed(InProcessCamera camera, params DateTimeOffset[] times)
    {
        using var connection = camera.App.Services.GetRequiredService<CameraDatabase>().OpenConnection();
        var ids = new List<long>();
        foreach (var at in times)
        {
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO motion_events (at, changed_share) VALUES ($at, 0.2) RETURNING id;";
            insert.Parameters.AddWithValue("$at", DbTime.Format(at));
            ids.Add((long)insert.ExecuteScalar()!);
        }

        return ids;
    }
}
