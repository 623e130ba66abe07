using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Iris.Camera.Media;
using Iris.Camera.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Iris.Camera.Tests.Media;

/// <summary>Issue 16, motion: a schedule of days and hours in the owner's time zone, enforced by the detector.</summary>
public sealed class MotionScheduleTests
{
    private static readonly string[] Weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday"];

    [Theory]
    // 2026-11-30 is a Monday. Taipei is UTC+8 all year.
    [InlineData("2026-11-30T00:30:00Z", true)]   // Monday 08:30 in Taipei
    [InlineData("2026-11-29T23:59:00Z", false)]  // Monday 07:59 in Taipei (still Sunday in UTC)
    [InlineData("2026-11-30T10:00:00Z", false)]  // Monday 18:00 in Taipei: the end is not included
    [InlineData("2026-11-28T02:00:00Z", false)]  // Saturday 10:00 in Taipei
    [InlineData("2026-11-30T17:00:00Z", false)]  // Tuesday 01:00 in Taipei, Monday 17:00 in UTC
    public void WeekdayOfficeHours_AreReadInTheOwnersZone(string utc, bool expected)
    {
        var schedule = new MotionSchedule { TimeZone = "Asia/Taipei", Days = [.. Weekdays], From = "08:00", To = "18:00" };
        var at = DateTimeOffset.Parse(utc, CultureInfo.InvariantCulture);

        Assert.Equal(expected, schedule.Includes(at));
    }

    [Theory]
    [InlineData("2026-11-27T23:00:00+08:00", true)]  // Friday 23:00: the night that starts Friday
    [InlineData("2026-11-28T05:59:00+08:00", true)]  // Saturday 05:59: still Friday's night
    [InlineData("2026-11-28T06:00:00+08:00", false)] // Saturday 06:00: over
    [InlineData("2026-11-28T23:00:00+08:00", false)] // Saturday 23:00: Saturday is not chosen
    [InlineData("2026-11-27T05:00:00+08:00", true)]  // Friday 05:00: Thursday's night
    [InlineData("2026-11-24T05:00:00+08:00", false)] // Tuesday 05:00: Monday is not chosen
    public void AWindowPastMidnight_BelongsToTheDayItStarts(string local, bool expected)
    {
        var schedule = new MotionSchedule { TimeZone = "Asia/Taipei", Days = ["tuesday", "wednesday", "thursday", "friday"], From = "22:00", To = "06:00" };

        Assert.Equal(expected, schedule.Includes(DateTimeOffset.Parse(local, CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void DaylightSaving_KeepsTheLocalHours()
    {
        // 07:30 local in Berlin is 06:30 UTC in summer and 06:30 UTC is 07:30 local in winter only: the zone decides, not a fixed offset.
        var schedule = new MotionSchedule { TimeZone = "Europe/Berlin", Days = [.. MotionSchedule.DayNames], From = "07:00", To = "08:00" };

        Assert.True(schedule.Includes(new DateTimeOffset(2026, 7, 1, 5, 30, 0, TimeSpan.Zero)));
        Assert.False(schedule.Includes(new DateTimeOffset(2026, 12, 1, 5, 30, 0, TimeSpan.Zero)));
        Assert.True(schedule.Includes(new DateTimeOffset(2026, 12, 1, 6, 30, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void StartEqualToEnd_IsTheWholeDay()
    {
        var schedule = new MotionSchedule { TimeZone = "UTC", Days = ["sunday"], From = "00:00", To = "00:00" };

        Assert.True(schedule.Includes(new DateTimeOffset(2026, 11, 29, 23, 59, 0, TimeSpan.Zero)));
        Assert.False(schedule.Includes(new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero)));
    }

    [Theory]
    [InlineData("""{"timeZone":"Mars/Olympus","days":["monday"],"from":"08:00","to":"18:00"}""", "schedule.timeZone")]
    [InlineData("""{"timeZone":"../../etc/passwd","days":["monday"],"from":"08:00","to":"18:00"}""", "schedule.timeZone")]
    [InlineData("""{"timeZone":"Asia/Taipei","days":[],"from":"08:00","to":"18:00"}""", "schedule.days")]
    [InlineData("""{"timeZone":"Asia/Taipei","days":["someday"],"from":"08:00","to":"18:00"}""", "schedule.days")]
    [InlineData("""{"timeZone":"Asia/Taipei","days":["monday","monday"],"from":"08:00","to":"18:00"}""", "schedule.days")]
    [InlineData("""{"timeZone":"Asia/Taipei","days":["monday"],"from":"24:00","to":"18:00"}""", "schedule.from")]
    [InlineData("""{"timeZone":"Asia/Taipei","days":["monday"],"from":"08:00","to":"6pm"}""", "schedule.to")]
    public async Task AnInvalidSchedule_IsRefusedNamingTheField_AndNothingIsStored(string schedule, string field)
    {
        await using var camera = await InProcessCamera.StartAsync(configure: LiveViewTests.SmallFrames);
        using var admin = await camera.ClaimAsync();

        var body = $$"""{"enabled":true,"sensitivity":60,"zones":[],"schedule":{{schedule}}}""";
        using var response = await admin.Http.PutAsync(new Uri("/api/media/motion", UriKind.Relative), new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var stored = await admin.Http.GetFromJsonAsync<MotionSettings>(new Uri("/api/media/motion", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.False(stored!.Enabled);
        Assert.Null(stored.Schedule);
    }

    [Fact]
    public async Task TheDetector_RecordsNoMotionBeforeTheScheduleOpens_AndDoesOnceItIs()
    {
        // A fake clock a minute before the window opens in Taipei (the scene moves all the time, so without the
        // schedule the first event would come at once). The clock runs fast: 100 ms per few real milliseconds.
        var taipei = TimeZoneInfo.FindSystemTimeZoneById("Asia/Taipei");
        var start = DateTimeOffset.UtcNow;
        start = start.AddTicks(-(start.Ticks % TimeSpan.TicksPerMinute));
        var opens = TimeZoneInfo.ConvertTime(start, taipei).AddMinutes(1);
        var time = new FakeTimeProvider(start);
        await using var camera = await InProcessCamera.StartAsync(configure: LiveViewTests.SmallFrames, time: time);
        using var admin = await camera.ClaimAsync();

        var schedule = new
        {
            timeZone = "Asia/Taipei",
            days = new[] { MotionSchedule.DayNames[(int)opens.DayOfWeek] },
            from = opens.ToString("HH:mm", CultureInfo.InvariantCulture),
            to = opens.AddMinutes(30).ToString("HH:mm", CultureInfo.InvariantCulture),
        };
        using var enable = await admin.Http.PutAsJsonAsync(new Uri("/api/media/motion", UriKind.Relative), new { enabled = true, sensitivity = 60, zones = Array.Empty<object>(), schedule });
        Assert.Equal(HttpStatusCode.OK, enable.StatusCode);
        var saved = await enable.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Asia/Taipei", saved.GetProperty("schedule").GetProperty("timeZone").GetString());

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        List<MotionEvent> events = [];
        while (events.Count == 0)
        {
            for (var i = 0; i < 10; i++)
            {
                time.Advance(TimeSpan.FromMilliseconds(100));
                await Task.Delay(5, stop.Token);
            }

            events = (await admin.Http.GetFromJsonAsync<List<MotionEvent>>(new Uri("/api/media/motion-events", UriKind.Relative), stop.Token))!;
        }

        Assert.True(time.GetUtcNow() - start < TimeSpan.FromMinutes(5), "the clock ran far past the opening without motion");
        Assert.All(events, e => Assert.True(e.At >= opens, $"motion recorded at {e.At:O}, before the schedule opened at {opens:O}"));
    }
}
