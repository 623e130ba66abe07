using Iris.Camera.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Iris.Camera.Tests.Media;

/// <summary>The settings page in a real browser: a source without a picture says so instead of "Saved.".</summary>
public sealed class VideoSettingsPageTests
{
    [Fact]
    public async Task SavingAStreamThatSendsNothing_ShowsNoSignal_NotSaved()
    {
        await using var server = await MjpegStreamServer.StartAsync();
        await using var camera = await InProcessCamera.StartAsync(configure: VideoSettingsTests.TrustingStreams(server, ("Iris:Media:SignalTimeout", "00:00:02")));
        using var owner = await camera.ClaimAsync();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(Iris.Camera.Tests.Web.WebUiTests.LaunchOptions());
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true });
        var page = await context.NewPageAsync();

        await page.GotoAsync(camera.BaseAddress.ToString());
        await page.FillAsync("#login-password", InProcessCamera.OwnerPassword);
        await page.ClickAsync("#login-submit");
        await page.ClickAsync("button[data-tab='settings']");
        await Expect(page.Locator("#video-source")).ToHaveValueAsync("test-pattern");
        await page.SelectOptionAsync("#video-source", "stream");
        await page.FillAsync("#video-url", server.Url("silent"));
        await page.ClickAsync("#form-video button[type='submit']");

        await Expect(page.Locator("#message")).ToHaveTextAsync("Saved, but the camera gets no picture: no signal: no picture within 2 s");
        await Expect(page.Locator("#message")).Not.ToHaveClassAsync(new System.Text.RegularExpressions.Regex("\\bok\\b"));
    }
}
