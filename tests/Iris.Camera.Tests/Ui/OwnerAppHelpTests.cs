using System.Net.Http.Json;
using System.Text.Json;
using static Microsoft.Playwright.Assertions;

namespace Iris.Camera.Tests.Ui;

/// <summary>Issue 16: help is a page of its own per screen, with an address, in both languages; the dashboard says whether sound is captured.</summary>
public sealed class OwnerAppHelpTests
{
    [Fact]
    public async Task EachScreensHelp_IsItsOwnPage_KeptAcrossAReload_InTheChosenLanguage()
    {
        await using var app = await OwnerAppBrowser.StartAsync(390, 844, withRecording: false);
        await app.SignInAsAsync("Administrator");
        await app.OpenAsync("settings");

        await app.Page.ClickAsync("#tab-settings p.help a");
        await Expect(app.Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("#/help/settings$"));
        await Expect(app.Page.Locator("#help-title")).ToHaveTextAsync("Help: Settings");
        await Expect(app.Page.Locator("#help-body")).ToContainTextAsync("days and hours in your own time zone");
        await Expect(app.Page.Locator("#tab-settings")).ToBeHiddenAsync();

        await app.Page.SelectOptionAsync("#language", "zh-Hant");
        await app.Page.ReloadAsync();
        await Expect(app.Page.Locator("#help-title")).ToHaveTextAsync("說明：設定");
        await Expect(app.Page.Locator("#help-body")).ToContainTextAsync("依您所在時區的日子與時間");

        // Another screen's help is one link away; the way back leads to the screen the help is about.
        await app.Page.ClickAsync("#help-topics a[href='#/help/privacy']");
        await Expect(app.Page.Locator("#help-body")).ToContainTextAsync("回復原廠設定");
        await app.Page.ClickAsync("#help-back");
        await Expect(app.Page.Locator("#tab-privacy")).ToBeVisibleAsync();
        Assert.Empty(app.Errors);
    }

    [Fact]
    public async Task AViewer_GetsHelpOnlyForTheScreensTheyMayUse()
    {
        await using var app = await OwnerAppBrowser.StartAsync(1280, 800, withRecording: false);
        await app.SignInAsAsync("Viewer");

        await app.Page.EvaluateAsync("location.hash = '#/help/users'");
        await Expect(app.Page.Locator("#help-title")).ToHaveTextAsync("Help: Dashboard");
        await Expect(app.Page.Locator("#help-topics a")).ToHaveCountAsync(3);
        await Expect(app.Page.Locator("#help-topics a[href='#/help/settings']")).ToHaveCountAsync(0);
        Assert.Empty(app.Errors);
    }

    [Fact]
    public async Task TheDashboard_SaysWhetherSoundIsCaptured()
    {
        await using var app = await OwnerAppBrowser.StartAsync(1280, 800, withRecording: false);
        await app.SignInAsAsync("Administrator");
        var microphone = app.Page.Locator("#dash-status dd[data-line='microphone']");
        await Expect(microphone).ToHaveTextAsync("Off");

        var video = await app.Owner.Http.GetFromJsonAsync<JsonElement>(new Uri("/api/media/video", UriKind.Relative));
        using (var on = await app.Owner.Http.PutAsJsonAsync(new Uri("/api/media/video", UriKind.Relative), new
        {
            source = video.GetProperty("source").GetString(),
            width = video.GetProperty("width").GetInt32(),
            height = video.GetProperty("height").GetInt32(),
            framesPerSecond = video.GetProperty("framesPerSecond").GetInt32(),
            microphone = true,
        }))
        {
            Assert.True(on.IsSuccessStatusCode, await on.Content.ReadAsStringAsync());
        }

        await app.Page.ReloadAsync();
        await Expect(microphone).ToHaveTextAsync("on: sound is captured with the picture");

        // Privacy mode stops the sound with the picture, and the dashboard says so.
        using (var privacy = await app.Owner.Http.PutAsJsonAsync(new Uri("/api/media/privacy", UriKind.Relative), new { enabled = true }))
        {
            Assert.True(privacy.IsSuccessStatusCode);
        }

        await app.Page.ReloadAsync();
        await Expect(microphone).ToHaveTextAsync("Off");
        Assert.Empty(app.Errors);
    }
}
