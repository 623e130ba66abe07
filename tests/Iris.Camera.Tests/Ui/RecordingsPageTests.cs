using System.Globalization;
using System.Net.Http.Json;
using Deque.AxeCore.Playwright;
using Iris.Camera.Media;
using Iris.Camera.Storage;
using Iris.Camera.Tests.Media;
using Iris.Camera.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Iris.Camera.Tests.Ui;

/// <summary>
/// Issue 14, the recordings page (new-owner findings O-08 and O-10): a time range picked on the page downloads one MP4
/// that ffprobe (not our code) reads as H.264 as long as the range; a range the camera refuses says why in words;
/// the day timeline zooms, so marks minutes apart that sit on one spot of the whole-day bar stand apart. Runs with
/// the other real-time recording tests (a saturated CPU shortens a recording, attack finding A7).
/// </summary>
[Collection(RealTimeRecording.Name)]
public sealed class RecordingsPageTests
{
    [Theory]
    [InlineData("Viewer", 390, 844)]
    [InlineData("Administrator", 1280, 800)]
    public async Task ARangeWrittenOnThePage_DownloadsOneMp4_AsLongAsTheRange(string role, int width, int height)
    {
        await using var app = await OwnerAppBrowser.StartAsync(width, height, withRecording: false);
        var segments = await RecordAsync(app, 5);
        // Whole seconds (the fields' precision) inside the second to the fifth segment: about four seconds, of which
        // rounding to whole seconds can take up to two (with three segments the range once came out as one second).
        var from = Whole(segments[1].StartedAt, up: true);
        var to = Whole(segments[4].EndedAt, up: false);
        Assert.True(to - from >= TimeSpan.FromSeconds(2), $"{from:O} to {to:O}");

        await app.SignInAsAsync(role);
        await app.OpenAsync("recordings");
        await app.Page.FillAsync("#export-from", await ClockAsync(app.Page, from));
        await app.Page.FillAsync("#export-to", await ClockAsync(app.Page, to));
        var asked = new List<string>();
        app.Page.Request += (_, request) => asked.Add(request.Url);
        var download = await app.Page.RunAndWaitForDownloadAsync(() => app.Page.ClickAsync("#export-download"), new() { Timeout = 90_000 });
        await Expect(app.Page.Locator("#export-status")).ToContainTextAsync("Downloaded: ");
        Assert.EndsWith(".mp4", download.SuggestedFilename, StringComparison.Ordinal);
        // The page asked the export endpoint for exactly the range written in its fields, in absolute time.
        var export = new Uri(Assert.Single(asked, u => u.Contains("/api/recordings/export", StringComparison.Ordinal)));
        var query = System.Web.HttpUtility.ParseQueryString(export.Query);
        Assert.Equal(from, DateTimeOffset.Parse(query["from"]!, CultureInfo.InvariantCulture));
        Assert.Equal(to, DateTimeOffset.Parse(query["to"]!, CultureInfo.InvariantCulture));

        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, download.SuggestedFilename);
        await download.SaveAsAsync(path);
        var values = await MediaTools.ProbeValuesAsync(path);
        Assert.Equal("h264", values["streams.stream.0.codec_name"]);
        // The exact cut is RangeExportTests'; here the file must be about as long as the range written.
        var duration = double.Parse(values["format.duration"], CultureInfo.InvariantCulture);
        Assert.InRange(duration, (to - from).TotalSeconds - 1, (to - from).TotalSeconds + 1);

        await CheckPageAsync(app, $"{role.ToLowerInvariant()}-{width}x{height}-recordings-export");
        Assert.Empty(app.Errors);
    }

    [Theory]
    [InlineData(390, 844)]
    [InlineData(1280, 800)]
    public async Task ARangeTheCameraRefuses_SaysWhyInWords_AndAWrongRangeIsNotSent(int width, int height)
    {
        await using var app = await OwnerAppBrowser.StartAsync(width, height);
        var segment = (await app.Owner.Http.GetFromJsonAsync<List<RecordingSegment>>(new Uri("/api/recordings", UriKind.Relative)))!.Last();
        await app.SignInAsAsync("Administrator");
        await app.OpenAsync("recordings");
        var status = app.Page.Locator("#export-status");

        // The fields start on the newest recording, so "Download" right away would give it.
        await Expect(app.Page.Locator("#export-from")).ToHaveValueAsync(await ClockAsync(app.Page, Whole(segment.StartedAt, up: false)));
        await Expect(app.Page.Locator("#export-to")).ToHaveValueAsync(await ClockAsync(app.Page, Whole(segment.EndedAt, up: true)));

        // Checked on the page, never sent: an end before the start, more than 10 minutes, not a time.
        await FillAsync(app.Page, "10:00:05", "10:00:00");
        await Expect(status).ToHaveTextAsync("The end must be after the start (on the same day).");
        await FillAsync(app.Page, "10:00", "10:10:01");
        await Expect(status).ToHaveTextAsync("At most 10 minutes at a time: download a longer time in parts.");
        await FillAsync(app.Page, "25:00", "10:10");
        await Expect(status).ToHaveTextAsync("Write both times on the 24-hour clock, for example 07:30 or 07:30:15.");
        Assert.Empty(app.Errors);

        // A range an hour before the recording holds nothing (404).
        var before = segment.StartedAt.AddHours(-1);
        await FillAsync(app.Page, await ClockAsync(app.Page, before), await ClockAsync(app.Page, before.AddMinutes(1)));
        await Expect(status).ToHaveTextAsync("Nothing was recorded in this range. Pick a time where the timeline shows a recording.");

        // Another export running takes the camera's only export slot (503 media-busy).
        using (var slot = app.Camera.App.Services.GetRequiredService<MediaWorkLimit>().TryExport())
        {
            Assert.NotNull(slot);
            await FillAsync(app.Page, await ClockAsync(app.Page, Whole(segment.StartedAt, up: false)), await ClockAsync(app.Page, Whole(segment.EndedAt, up: true)));
            await Expect(status).ToHaveTextAsync("The camera is preparing another recording right now. Try again in a moment.");
        }

        await Expect(app.Page.Locator("#export-download")).ToBeEnabledAsync();
        await CheckPageAsync(app, $"administrator-{width}x{height}-recordings-export-refused");
        // Exactly the two refusals asked for reached the camera, and the page said each in words.
        Assert.Equal(2, app.Errors.Count(e => e.Contains("/api/recordings/export", StringComparison.Ordinal) && !e.StartsWith("  ", StringComparison.Ordinal)));
        Assert.Contains(app.Errors, e => e.StartsWith("404 ", StringComparison.Ordinal));
        Assert.Contains(app.Errors, e => e.StartsWith("503 ", StringComparison.Ordinal));
        Assert.DoesNotContain(app.Errors, e => !e.Contains("/api/recordings/export", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(390, 844)]
    [InlineData(1280, 800)]
    public async Task Zooming_SpreadsMarksMinutesApart_ThatShareOneSpotOfTheWholeDay(int width, int height)
    {
        await using var app = await OwnerAppBrowser.StartAsync(width, height);
        var segments = (await app.Owner.Http.GetFromJsonAsync<List<RecordingSegment>>(new Uri("/api/recordings", UriKind.Relative)))!;
        var segment = segments.Last();
        // The 10-minute window opens on the one holding the newest recording: two motion events 4 minutes apart in it.
        var window = new DateTimeOffset(segment.StartedAt.UtcTicks - (segment.StartedAt.UtcTicks % TimeSpan.FromMinutes(10).Ticks), TimeSpan.Zero);
        var shown = segments.Count(s => s.EndedAt >= window && s.StartedAt <= window.AddMinutes(10));
        Seed(app, window.AddMinutes(3), window.AddMinutes(7));
        await app.SignInAsAsync("Administrator");
        await app.OpenAsync("recordings");
        var markers = app.Page.Locator("#timeline-bar .timeline-marker");
        await Expect(markers).ToHaveCountAsync(2);
        await Expect(app.Page.Locator("#timeline-hours span").First).ToHaveTextAsync("00:00");
        var bar = (await app.Page.Locator("#timeline-bar").BoundingBoxAsync())!;
        var dayApart = await ApartAsync(markers);
        // Four minutes of a day: 0.3 % of the bar, a pixel or three.
        Assert.True(dayApart < bar.Width * 0.01, $"{dayApart} px apart on the whole day, bar {bar.Width} px");

        await app.Page.SelectOptionAsync("#timeline-zoom", "10");
        var clock = await ClockAsync(app.Page, window);
        await Expect(app.Page.Locator("#timeline-hours span").First).ToHaveTextAsync(clock[..5]);
        await Expect(app.Page.Locator("#timeline-window")).ToHaveTextAsync($"{clock[..5]} to {(await ClockAsync(app.Page, window.AddMinutes(10)))[..5]}: {shown} recording(s)");
        var zoomedApart = await ApartAsync(markers);
        // Four of ten minutes: 40 % of the bar.
        Assert.InRange(zoomedApart, bar.Width * 0.38, bar.Width * 0.42);
        await CheckPageAsync(app, $"administrator-{width}x{height}-recordings-zoom");

        // Earlier moves to the 10 minutes before, where nothing happened; the marks are not in it.
        await app.Page.ClickAsync("#timeline-earlier");
        await Expect(markers).ToHaveCountAsync(0);
        await Expect(app.Page.Locator("#timeline-hours span").First).ToHaveTextAsync((await ClockAsync(app.Page, window.AddMinutes(-10)))[..5]);
        await app.Page.ClickAsync("#timeline-later");
        await Expect(markers).ToHaveCountAsync(2);
        Assert.Empty(app.Errors);
    }

    private static async Task<List<RecordingSegment>> RecordAsync(OwnerAppBrowser app, int count)
    {
        var completed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = 0;
        app.Camera.App.Services.GetRequiredService<Recorder>().SegmentCompleted += _ =>
        {
            if (Interlocked.Increment(ref seen) >= count)
            {
                completed.TrySetResult();
            }
        };
        await SetModeAsync(app, "continuous");
        await completed.Task.WaitAsync(TimeSpan.FromSeconds(90));
        await SetModeAsync(app, "off");
        return (await app.Owner.Http.GetFromJsonAsync<List<RecordingSegment>>(new Uri("/api/recordings", UriKind.Relative)))!;
    }

    private static async Task SetModeAsync(OwnerAppBrowser app, string mode)
    {
        using var response = await app.Owner.Http.PutAsJsonAsync(new Uri("/api/recordings/settings", UriKind.Relative), new { mode });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static DateTimeOffset Whole(DateTimeOffset at, bool up)
    {
        var second = TimeSpan.TicksPerSecond;
        var down = at.UtcTicks - (at.UtcTicks % second);
        return new DateTimeOffset(up && down != at.UtcTicks ? down + second : down, TimeSpan.Zero);
    }

    // The time as the page's 24-hour fields read it, in the browser's own time zone.
    private static Task<string> ClockAsync(IPage page, DateTimeOffset at) => page.EvaluateAsync<string>(
        "iso => { const d = new Date(iso); return [d.getHours(), d.getMinutes(), d.getSeconds()].map(n => String(n).padStart(2, '0')).join(':'); }",
        at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));

    private static async Task FillAsync(IPage page, string from, string to)
    {
        await page.FillAsync("#export-from", from);
        await page.FillAsync("#export-to", to);
        await page.ClickAsync("#export-download");
    }

    private static async Task<float> ApartAsync(ILocator markers)
    {
        var first = (await markers.Nth(0).BoundingBoxAsync())!;
        var second = (await markers.Nth(1).BoundingBoxAsync())!;
        return Math.Abs(second.X - first.X);
    }

    private static async Task CheckPageAsync(OwnerAppBrowser app, string name)
    {
        var problems = (await app.UnreachableControlsAsync()).ToList();
        var axe = await app.Page.RunAxe();
        problems.AddRange(axe.Violations
            .Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"axe {v.Id} ({v.Impact}) at {string.Join(", ", v.Nodes.Select(n => n.Target.ToString()))}"));
        await app.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(OwnerAppBrowser.Screenshots, $"{name}.png"), FullPage = true });
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private static void Seed(OwnerAppBrowser app, params DateTimeOffset[] times)
    {
        using var connection = app.Camera.App.Services.GetRequiredService<CameraDatabase>().OpenConnection();
        foreach (var at in times)
        {
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO motion_events (at, changed_share) VALUES ($at, 0.1);";
            insert.Parameters.AddWithValue("$at", at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
            insert.ExecuteNonQuery();
        }
    }
}
