using System.Net.Http.Json;
using System.Text.Json;
using Iris.Camera.Media;
using Iris.Camera.Tests.Support;

namespace Iris.Camera.Tests.Media;

/// <summary>"Recordings last about N days at this rate": measured from the bytes written over the last day.</summary>
public sealed class RecordingOverviewTests
{
    private const long MiB = 1L << 20;
    private static readonly DateTimeOffset Now = new(2027, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static RecordingSegment Segment(long id, TimeSpan startsAgo, long bytes) =>
        new(id, Now - startsAgo, Now - startsAgo + TimeSpan.FromMinutes(1), 600, bytes);

    [Fact]
    public void TheRate_IsTheLastDaysBytesOverTheTimeSinceItsFirstSegment_AndTheDaysFollowFromTheCapacity()
    {
        // 120 MiB written in the last 2 hours = 60 MiB/h; 1440 MiB hold 24 hours of that = 1 day. The 30-hour-old
        // segment is outside the window and does not count towards the rate (it still counts as used).
        List<RecordingSegment> segments = [Segment(1, TimeSpan.FromHours(30), 500 * MiB), Segment(2, TimeSpan.FromHours(2), 60 * MiB), Segment(3, TimeSpan.FromMinutes(10), 60 * MiB)];

        var estimate = RecordingOverview.Estimate(segments, Now, 1440 * MiB, TimeSpan.FromDays(7));

        Assert.Equal(620 * MiB, estimate.UsedBytes);
        Assert.Equal(60 * MiB, estimate.BytesPerHour);
        Assert.Equal(1.0, estimate.DaysKept);
    }

    [Fact]
    public void TheDaysKept_NeverExceedTheRetentionTime()
    {
        List<RecordingSegment> segments = [Segment(1, TimeSpan.FromHours(1), MiB)];

        var estimate = RecordingOverview.Estimate(segments, Now, 1L << 40, TimeSpan.FromDays(7));

        Assert.Equal(7.0, estimate.DaysKept);
    }

    [Fact]
    public void WithoutAMinuteOfRecording_NothingIsEstimated()
    {
        Assert.Null(RecordingOverview.Estimate([], Now, 1L << 30, TimeSpan.FromDays(7)).DaysKept);
        var tooShort = RecordingOverview.Estimate([Segment(1, TimeSpan.FromSeconds(30), MiB)], Now, 1L << 30, TimeSpan.FromDays(7));
        Assert.Null(tooShort.BytesPerHour);
        Assert.Null(tooShort.DaysKept);
    }

    [Fact]
    public async Task TheRecordingSettings_ShowUsedBytesAndCapacity_ForTheDashboard()
    {
        await using var camera = await InProcessCamera.StartAsync(configure: RecordingTests.OneSecondSegments);
        using var admin = await camera.ClaimAsync();
        var segment = await DefaultRecordingTests.RecordOneAsync(camera, admin);

        var settings = await admin.Http.GetFromJsonAsync<JsonElement>(new Uri("/api/recordings/settings", UriKind.Relative));

        Assert.Equal("off", settings.GetProperty("mode").GetString());
        var storage = settings.GetProperty("storage");
        Assert.True(storage.GetProperty("usedBytes").GetInt64() >= segment.Bytes);
        Assert.InRange(storage.GetProperty("capacityBytes").GetInt64(), 1, 1L << 30);
    }
}
