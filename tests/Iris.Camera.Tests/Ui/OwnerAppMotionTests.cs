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
