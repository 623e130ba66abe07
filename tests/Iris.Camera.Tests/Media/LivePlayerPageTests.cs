using System.Net;
using System.Net.Http.Json;
using Iris.Camera.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Iris.Camera.Tests.Media;

/// <summary>
/// The live view in Debian's Chromium (Playwright): our MSE player (wwwroot/player.js) plays the camera's H.264 + AAC
/// fragmented MP4. Debian's Chromium has H.264 and AAC (MediaSource.isTypeSupported is true for
/// avc1.42E01E,mp4a.40.2), so the test plays exactly what the camera sends; nothing is skipped.
/// </summary>
public sealed class LivePlayerPageTests
{
    [Fact]
    public async Task LiveView_PlaysH264WithSound_InTheVideoElement_AndShowsTheMicrophoneOn()
    {
        await using var camera = await InProcessCamera.StartAsync(configure: LiveViewTests.SmallFrames);
        using var owner = await camera.ClaimAsync();
        using (var on = await owner.Http.PutAsJsonAsync(new Uri("/api/media/video", UriKind.Relative),
            new { source = "test-pattern", width = 320, height = 240, framesPerSecond = 10, microphone = true }))
        {
            Assert.Equal(HttpStatusCode.OK, on.StatusCode);
        }

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(Iris.Camera.Tests.Web.WebUiTests.LaunchOptions());
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true });
        var page = await context.NewPageAsync();

        await page.GotoAsync(camera.BaseAddress.ToString());
        await page.FillAsync("#login-password", InProcessCamera.OwnerPassword);
        await page.ClickAsync("#login-submit");
        await page.ClickAsync("button[data-tab='live']");
        var video = page.Locator("#live-video");
        await Expect(video).ToBeVisibleAsync();
        await Expect(page.Locator("#live-image")).ToBeHiddenAsync();
        await Expect(page.Locator("#microphone-state")).ToHaveTextAsync("Microphone on: sound is captured.");

        // Playback must advance (two seconds of stream time past the first position seen) with both tracks decoded.
        await page.WaitForFunctionAsync("""
            () => {
              const v = document.getElementById('live-video');
              if (!v.src.startsWith('blob:') || v.readyState < 2) return false;
              if (window.irisFirstTime === undefined) { window.irisFirstTime = v.currentTime; return false; }
              return v.currentTime > window.irisFirstTime + 2 && v.webkitVideoDecodedByteCount > 0 && v.webkitAudioDecodedByteCount > 0;
            }
            """, null, new PageWaitForFunctionOptions { PollingInterval = 100, Timeout = 30_000 });
        Assert.Equal(320, await video.EvaluateAsync<int>("v => v.videoWidth"));
        // At the live edge: less than a second of buffered stream ahead of what is shown.
        var behind = await video.EvaluateAsync<double>("v => v.buffered.end(v.buffered.length - 1) - v.currentTime");
        Assert.InRange(behind, 0, 1.0);
    }

    [Fact]
    public async Task H264Recording_PlaysInTheVideoElement_Seeks_AndChangesSpeed()
    {
        await using var camera = await InProcessCamera.StartAsync(configure: H264RecordingTests.H264Segments);
        using var owner = await camera.ClaimAsync();
        var recorded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        camera.App.Services.GetRequiredService<Iris.Camera.Media.Recorder>().SegmentCompleted += _ => recorded.TrySetResult();
        using (var on = await owner.Http.PutAsJsonAsync(new Uri("/api/recordings/settings", UriKind.Relative), new { mode = "continuous" }))
        {
            Assert.Equal(HttpStatusCode.OK, on.StatusCode);
        }

        await recorded.Task.WaitAsync(TimeSpan.FromSeconds(60));
        using (await owner.Http.PutAsJsonAsync(new Uri("/api/recordings/settings", UriKind.Relative), new { mode = "off" }))
        {
        }

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(Iris.Camera.Tests.Web.WebUiTests.LaunchOptions());
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true });
        var page = await context.NewPageAsync();
        await page.GotoAsync(camera.BaseAddress.ToString());
        await page.FillAsync("#login-password", InProcessCamera.OwnerPassword);
        await page.ClickAsync("#login-submit");
        await page.ClickAsync("button[data-tab='recordings']");
        await page.SelectOptionAsync("#playback-speed", "2");
        // The oldest segment is a whole one (the newest may be the short tail cut when recording was switched off).
        await page.Locator("#recordings-body button.play").Last.ClickAsync();

        var video = page.Locator("#playback-video");
        await Expect(video).ToBeVisibleAsync();
        await Expect(page.Locator("#playback-image")).ToBeHiddenAsync();
        // A finite duration (a standard MP4, not a stream) of about the one-second segment, at the chosen speed.
        await WaitOrExplainAsync(page, "() => { const v = document.getElementById('playback-video'); return v.readyState >= 1 && isFinite(v.duration) && v.duration > 0.5; }");
        Assert.InRange(await video.EvaluateAsync<double>("v => v.duration"), 0.5, 3.0);
        Assert.Equal(2.0, await video.EvaluateAsync<double>("v => v.playbackRate"));

        // Seek to the middle: the element reaches it and has a picture there.
        await video.EvaluateAsync("v => { v.pause(); v.currentTime = v.duration / 2; }");
        await WaitOrExplainAsync(page, "() => { const v = document.getElementById('playback-video'); return !v.seeking && v.readyState >= 2 && Math.abs(v.currentTime - v.duration / 2) < 0.2; }");
        Assert.Equal(320, await video.EvaluateAsync<int>("v => v.videoWidth"));
    }

    [Fact]
    public async Task DayTimeline_ShowsSegmentsAndAMotionMark_WhoseThumbnailShows_AndWhichPlaysFromTheEvent()
    {
        await using var camera = await InProcessCamera.StartAsync(configure: RecordingTests.OneSecondSegments);
        using var owner = await camera.ClaimAsync();
        var recorded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = 0;
        camera.App.Services.GetRequiredService<Iris.Camera.Media.Recorder>().SegmentCompleted += _ =>
        {
            if (Interlocked.Increment(ref seen) >= 3)
            {
                recorded.TrySetResult();
            }
        };
        using (var on = await owner.Http.PutAsJsonAsync(new Uri("/api/recordings/settings", UriKind.Relative), new { mode = "continuous" }))
        {
            Assert.Equal(HttpStatusCode.OK, on.StatusCode);
        }

        await recorded.Task.WaitAsync(TimeSpan.FromSeconds(60));
        using (await owner.Http.PutAsJsonAsync(new Uri("/api/recordings/settings", UriKind.Relative), new { mode = "off" }))
        {
        }

        var segments = (await owner.Http.GetFromJsonAsync<List<Iris.Camera.Media.RecordingSegment>>(new Uri("/api/recordings", UriKind.Relative)))!;
        var middle = segments[1];
        using (var connection = camera.App.Services.GetRequiredService<Iris.Camera.Storage.CameraDatabase>().OpenConnection())
        using (var insert = connection.CreateCommand())
        {
            insert.CommandText = "INSERT INTO motion_events (at, changed_share) VALUES ($at, 0.3) RETURNING id;";
            insert.Parameters.AddWithValue("$at", Iris.Camera.Storage.DbTime.Format(middle.StartedAt.AddMilliseconds(500)));
            var eventId = (long)insert.ExecuteScalar()!;
            // The detector keeps a picture of the moment with each event: the marker shows that one.
            camera.App.Services.GetRequiredService<Iris.Camera.Media.MotionThumbnails>().Save(
                eventId, middle.StartedAt.AddMilliseconds(500), await owner.Http.GetByteArrayAsync(new Uri("/api/media/snapshot", UriKind.Relative)));
        }

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(Iris.Camera.Tests.Web.WebUiTests.LaunchOptions());
        // The page's day is local midnight to midnight: the browser in UTC, like the timestamps of the segments just made.
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true, TimezoneId = "UTC" });
        var page = await context.NewPageAsync();
        await page.GotoAsync(camera.BaseAddress.ToString());
        await page.FillAsync("#login-password", InProcessCamera.OwnerPassword);
        await page.ClickAsync("#login-submit");
        await page.ClickAsync("button[data-tab='recordings']");
        await page.Locator("#timeline-day").FillAsync(middle.StartedAt.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));

        await page.WaitForFunctionAsync("() => document.querySelectorAll('#timeline-bar .timeline-segment').length >= 3", null, new PageWaitForFunctionOptions { Timeout = 20_000 });
        var marker = page.Locator("#timeline-bar .timeline-marker");
        await Expect(marker).ToHaveCountAsync(1);
        await marker.FocusAsync();
        await page.WaitForFunctionAsync("() => { const i = document.getElementById('timeline-preview'); return !i.hidden && i.complete && i.naturalWidth === 160; }",
            null, new PageWaitForFunctionOptions { Timeout = 20_000 });

        await page.EvaluateAsync("() => { const v = document.getElementById('playback-video'); window.seekedAt = null; v.addEventListener('seeked', () => { window.seekedAt = v.currentTime; }, { once: true }); }");
        await marker.ClickAsync();
        await WaitOrExplainAsync(page, "() => window.seekedAt !== null");
        Assert.EndsWith($"/api/recordings/{middle.Id}?play=true", await page.Locator("#playback-video").EvaluateAsync<string>("v => v.src"), StringComparison.Ordinal);
        Assert.InRange(await page.EvaluateAsync<double>("() => window.seekedAt"), 0.35, 0.65);
    }

    /// <summary>Waits for <paramref name="condition"/>; on timeout, fails with the playback element's state (what went wrong, not just "timeout").</summary>
    private static async Task WaitOrExplainAsync(IPage page, string condition)
    {
        try
        {
            await page.WaitForFunctionAsync(condition, null, new PageWaitForFunctionOptions { Timeout = 20_000 });
        }
        catch (TimeoutException)
        {
            var state = await page.EvaluateAsync<string>("() => { const v = document.getElementById('playback-video'); return JSON.stringify({ readyState: v.readyState, networkState: v.networkState, duration: v.duration, currentTime: v.currentTime, error: v.error && (v.error.code + ' ' + v.error.message), src: v.src, hidden: v.hidden, imageSrc: document.getElementById('playback-image').src }); }");
            Assert.Fail("The recording did not play as expected: " + state);
        }
    }
}
