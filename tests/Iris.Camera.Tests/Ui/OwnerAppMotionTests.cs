using System.Net.Http.Json;
using System.Text.Json;
using Iris.Camera.Storage;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace Iris.Camera.Tests.Ui;

/// <summary>Issue 16, motion: areas drawn on the picture; events a minute apart or less show as one burst, in words, with the clip recorded then.</summary>
public sealed class OwnerAppMotionTests
{
    [Fact]
    public async Task MotionEvents_ShowAsBursts_InWords_WithThePlayableClip()
    {
        // The clip opens in the MJPEG img element; the H.264 video element is LivePlayerPageTests'.
        await using var app = await OwnerAppBrowser.StartAsync(390, 844, mjpegRecordings: true);
        var segments = await app.Owner.Http.GetFromJsonAsync<JsonElement>(new Uri("/api/recordings", UriKind.Relative));
        var segment = segments.EnumerateArray().First();
        var started = segment.GetProperty("startedAt").GetDateTimeOffset();
        // Three events while that segment was recorded make one burst; one two hours earlier, with no clip, another.
        Seed(app, (started, 0.05), (started.AddMilliseconds(200), 0.12), (started.AddMilliseconds(400), 0.08), (started.AddHours(-2), 0.3));

        await app.SignInAsAsync("Administrator");
        await app.OpenAsync("recordings");

        var bursts = app.Page.Locator("#motion-events li");
        await Expect(bursts).ToHaveCountAsync(2);
        await Expect(bursts.Nth(0)).ToContainTextAsync("motion seen 3 time(s), up to 12% of the picture changed");
        await Expect(bursts.Nth(1)).ToContainTextAsync("motion seen 1 time(s), up to 30% of the picture changed");
        await Expect(bursts.Nth(1).Locator("button")).ToHaveCountAsync(0);

        await bursts.Nth(0).Locator("button").ClickAsync();
        await Expect(app.Page.Locator("#playback-image")).ToHaveAttributeAsync("src", $"/api/recordings/{segment.GetProperty("id").GetInt64()}?play=true");
        Assert.Empty(app.Errors);
    }

    [Fact]
    public async Task AZoneDrawnOnThePicture_IsSavedAsAFractionOfTheFrame_AndComesBack()
    {
        await using var app = await OwnerAppBrowser.StartAsync(1280, 800, withRecording: false);
        await app.SignInAsAsync("Administrator");
        await app.OpenAsync("settings");
        await Expect(app.Page.Locator("#zone-list")).ToHaveTextAsync("No area marked: the whole picture counts.");

        await app.Page.Locator("#zone-editor").ScrollIntoViewIfNeededAsync();
        var box = (await app.Page.Locator("#zone-editor").BoundingBoxAsync())!;
        await app.Page.Mouse.MoveAsync(box.X + (box.Width * 0.1f), box.Y + (box.Height * 0.2f));
        await app.Page.Mouse.DownAsync();
        await app.Page.Mouse.MoveAsync(box.X + (box.Width * 0.3f), box.Y + (box.Height * 0.4f), new() { Steps = 5 });
        await app.Page.Mouse.MoveAsync(box.X + (box.Width * 0.5f), box.Y + (box.Height * 0.6f), new() { Steps = 5 });
        await app.Page.Mouse.UpAsync();
        await Expect(app.Page.Locator("#zone-list li")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^Area 1: "));
        await Expect(app.Page.Locator("#zone-layer .zone")).ToHaveCountAsync(1);
        await app.Page.ClickAsync("#form-motion button[type='submit']");
        await Expect(app.Page.Locator("#message")).ToHaveTextAsync("Saved.");

        var motion = await app.Owner.Http.GetFromJsonAsync<JsonElement>(new Uri("/api/media/motion", UriKind.Relative));
        var zone = Assert.Single(motion.GetProperty("zones").EnumerateArray().ToList());
        Assert.InRange(zone.GetProperty("x").GetDouble(), 0.08, 0.12);
        Assert.InRange(zone.GetProperty("y").GetDouble(), 0.18, 0.22);
        Assert.InRange(zone.GetProperty("width").GetDouble(), 0.38, 0.42);
        Assert.InRange(zone.GetProperty("height").GetDouble(), 0.38, 0.42);

        // Saving the other motion settings keeps the zone; removing it and saving leaves the whole picture.
        await app.Page.ReloadAsync();
        await Expect(app.Page.Locator("#zone-list li")).ToContainTextAsync("Area 1");
        await app.Page.ClickAsync("#zone-list button");
        await app.Page.ClickAsync("#form-motion button[type='submit']");
        await Expect(app.Page.Locator("#message")).ToHaveTextAsync("Saved.");
        motion = await app.Owner.Http.GetFromJsonAsync<JsonElement>(new Uri("/api/media/motion", UriKind.Relative));
        Assert.Empty(motion.GetProperty("zones").EnumerateArray());
        Assert.Empty(app.Errors);
    }

    [Fact]
    public async Task AZone_CanBeDrawnWithTheKeyboard_EachStepAnnounced()
    {
        await using var app = await OwnerAppBrowser.StartAsync(390, 844, withRecording: false);
        await app.SignInAsAsync("Administrator");
        await app.OpenAsync("settings");

        var status = app.Page.Locator("#zone-status");
        await app.Page.Locator("#zone-editor").FocusAsync();
        await Expect(status).ToHaveTextAsync("Cross at 50% from the left, 50% down.");
        await Expect(app.Page.Locator("#zone-cursor")).ToBeVisibleAsync();
        await Expect(status).ToHaveAttributeAsync("aria-live", "polite");
        foreach (var key in new[] { "ArrowLeft", "ArrowLeft", "ArrowLeft", "ArrowLeft", "ArrowUp", "ArrowUp" })
        {
            await app.Page.Keyboard.PressAsync(key);
        }

        await Expect(status).ToHaveTextAsync("Cross at 30% from the left, 40% down.");
        await app.Page.Keyboard.PressAsync("Enter");
        await Expect(status).ToContainTextAsync("First corner set at 30% from the left, 40% down.");
        // Escape forgets the corner; the next Enter starts a new area from where the cross is.
        await app.Page.Keyboard.PressAsync("Escape");
        await Expect(status).ToHaveTextAsync("Corner cleared.");
        await app.Page.Keyboard.PressAsync("Enter");
        foreach (var key in new[] { "ArrowRight", "ArrowRight", "ArrowRight", "ArrowRight", "ArrowDown", "ArrowDown", "ArrowDown", "ArrowDown", "Shift+ArrowDown" })
        {
            await app.Page.Keyboard.PressAsync(key);
        }

        await app.Page.Keyboard.PressAsync("Enter");
        await Expect(status).ToHaveTextAsync("Added. Area 1: from 30% left, 40% down; 20% wide, 21% high");
        await Expect(app.Page.Locator("#zone-layer .zone:not(.preview)")).ToHaveCountAsync(1);
        await app.Page.ClickAsync("#form-motion button[type='submit']");
        await Expect(app.Page.Locator("#message")).ToHaveTextAsync("Saved.");

        var motion = await app.Owner.Http.GetFromJsonAsync<JsonElement>(new Uri("/api/media/motion", UriKind.Relative));
        var zone = Assert.Single(motion.GetProperty("zones").EnumerateArray().ToList());
        Assert.Equal(0.3, zone.GetProperty("x").GetDouble(), 3);
        Assert.Equal(0.4, zone.GetProperty("y").GetDouble(), 3);
        Assert.Equal(0.2, zone.GetProperty("width").GetDouble(), 3);
        Assert.Equal(0.21, zone.GetProperty("height").GetDouble(), 3);
        Assert.Empty(app.Errors);
    }

    [Fact]
    public async Task TheSchedule_IsSavedInTheBrowsersTimeZone_AndComesBack()
    {
        await using var app = await OwnerAppBrowser.StartAsync(390, 844, withRecording: false);
        await app.SignInAsAsync("Administrator");
        await app.OpenAsync("settings");
        var zone = await app.Page.EvaluateAsync<string>("Intl.DateTimeFormat().resolvedOptions().timeZone");

        // Off by default: the days and hours cannot be changed until the schedule is switched on.
        await Expect(app.Page.Locator("#schedule-on")).Not.ToBeCheckedAsync();
        await Expect(app.Page.Locator("#schedule-from")).ToBeDisabledAsync();
        await app.Page.Locator("#schedule-on").CheckAsync();
        await Expect(app.Page.Locator("#schedule-from")).ToBeEnabledAsync();
        await app.Page.Locator("#schedule-days input[value='saturday']").UncheckAsync();
        await app.Page.Locator("#schedule-days input[value='sunday']").UncheckAsync();
        await app.Page.Locator("#schedule-from").FillAsync("22:00");
        await app.Page.Locator("#schedule-to").FillAsync("06:30");
        Assert.Empty(await app.UnreachableControlsAsync());
        await app.Page.ClickAsync("#form-motion button[type='submit']");
        await Expect(app.Page.Locator("#message")).ToHaveTextAsync("Saved.");

        var schedule = (await app.Owner.Http.GetFromJsonAsync<JsonElement>(new Uri("/api/media/motion", UriKind.Relative))).GetProperty("schedule");
        Assert.Equal(zone, schedule.GetProperty("timeZone").GetString());
        Assert.Equal(["monday", "tuesday", "wednesday", "thursday", "friday"], schedule.GetProperty("days").EnumerateArray().Select(d => d.GetString()!).ToArray());
        Assert.Equal("22:00", schedule.GetProperty("from").GetString());
        Assert.Equal("06:30", schedule.GetProperty("to").GetString());

        await app.Page.ReloadAsync();
        await Expect(app.Page.Locator("#schedule-on")).ToBeCheckedAsync();
        await Expect(app.Page.Locator("#schedule-days input[value='sunday']")).Not.ToBeCheckedAsync();
        await Expect(app.Page.Locator("#schedule-to")).ToHaveValueAsync("06:30");
        await Expect(app.Page.Locator("#schedule-zone")).ToContainTextAsync(zone);

        // No day chosen is said on the page, before anything is sent.
        foreach (var day in await app.Page.Locator("#schedule-days input").AllAsync())
        {
            await day.UncheckAsync();
        }

        await app.Page.ClickAsync("#form-motion button[type='submit']");
        await Expect(app.Page.Locator("#message")).ToHaveTextAsync("Choose at least one day, or switch the schedule off.");
        Assert.Empty(app.Errors);
    }

    [Fact]
    public async Task AMotionEvent_ShowsItsSealedPicture_WhichGoesWhenTheEventsAreDeleted()
    {
        await using var app = await OwnerAppBrowser.StartAsync(1280, 800, withRecording: false);
        using (var enable = await app.Owner.Http.PutAsJsonAsync(new Uri("/api/media/motion", UriKind.Relative), new { enabled = true, sensitivity = 60, zones = Array.Empty<object>() }))
        {
            Assert.True(enable.IsSuccessStatusCode);
        }

        JsonElement withPicture = default;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (withPicture.ValueKind == JsonValueKind.Undefined)
        {
            await Task.Delay(200, deadline.Token);
            var events = await app.Owner.Http.GetFromJsonAsync<JsonElement>(new Uri("/api/media/motion-events", UriKind.Relative), deadline.Token);
            withPicture = events.EnumerateArray().FirstOrDefault(e => e.GetProperty("thumbnail").GetBoolean());
        }

        using (var disable = await app.Owner.Http.PutAsJsonAsync(new Uri("/api/media/motion", UriKind.Relative), new { enabled = false, sensitivity = 60, zones = Array.Empty<object>() }))
        {
            Assert.True(disable.IsSuccessStatusCode);
        }

        var address = new Uri($"/api/media/motion-events/{withPicture.GetProperty("id").GetInt64()}/thumbnail", UriKind.Relative);
        using (var picture = await app.Owner.Http.GetAsync(address))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, picture.StatusCode);
            Assert.Equal("image/jpeg", picture.Content.Headers.ContentType!.MediaType);
            using var decoded = SkiaSharp.SKBitmap.Decode(await picture.Content.ReadAsByteArrayAsync());
            Assert.Equal(160, decoded.Width);
        }

        // On disk it is sealed: the stored file holds no JPEG.
        var stored = Directory.GetFiles(Path.Combine(app.Camera.DataDirectory, "recordings", "motion"));
        Assert.NotEmpty(stored);
        Assert.All(stored, f =>
        {
            var content = File.ReadAllBytes(f);
            Assert.Equal("IRSG"u8.ToArray(), content[..4]);
            using var data = SkiaSharp.SKData.CreateCopy(content);
            Assert.Null(SkiaSharp.SKCodec.Create(data));
        });

        await app.SignInAsAsync("Administrator");
        await app.OpenAsync("recordings");
        var shown = app.Page.Locator("#motion-events li img").First;
        await Expect(shown).ToBeVisibleAsync();
        await Expect(shown).ToHaveAttributeAsync("alt", new System.Text.RegularExpressions.Regex("^Picture of the motion at "));
        Assert.True(await shown.EvaluateAsync<bool>("img => img.complete && img.naturalWidth === 160"));

        using (var delete = await app.Owner.Http.DeleteAsync(new Uri("/api/privacy/data/motion-events", UriKind.Relative)))
        {
            Assert.True(delete.IsSuccessStatusCode, await delete.Content.ReadAsStringAsync());
        }

        using (var gone = await app.Owner.Http.GetAsync(address))
        {
            Assert.Equal(System.Net.HttpStatusCode.NotFound, gone.StatusCode);
        }

        Assert.Empty(Directory.GetFiles(Path.Combine(app.Camera.DataDirectory, "recordings", "motion")));
        Assert.Empty(app.Errors);
    }

    private static void Seed(OwnerAppBrowser app, params (DateTimeOffset At, double Share)[] events)
    {
        using var connection = app.Camera.App.Services.GetRequiredService<CameraDatabase>().OpenConnection();
        foreach (var (at, share) in events)
        {
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO motion_events (at, changed_share) VALUES ($at, $share);";
            insert.Parameters.AddWithValue("$at", at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture));
            insert.Parameters.AddWithValue("$share", share);
            insert.ExecuteNonQuery();
        }
    }
}
