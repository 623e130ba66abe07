using Iris.Camera.Link;
using Iris.Camera.Tests.Support;
using Iris.Camera.Tests.Web;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Iris.Camera.Tests.Link;

/// <summary>
/// The settings page shows the link (state, queue, last delivery) and sends a test alert that reaches the
/// platform; the navigation shows the number of open alerts (real Chromium, real mosquitto).
/// </summary>
public sealed class LinkPageTests
{
    [Fact]
    public async Task SettingsPage_ShowsTheLink_SendsATestAlert_MakesAPairingCode_AndTheBadgeCountsIt()
    {
        await using var setup = await LinkedCamera.StartAsync();
        using (await setup.Camera.ClaimAsync())
        {
        }

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(WebUiTests.LaunchOptions());
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true, Locale = "en-US" });
        var page = await context.NewPageAsync();
        await page.GotoAsync(setup.Camera.BaseAddress.ToString());
        await page.FillAsync("#login-password", InProcessCamera.OwnerPassword);
        await page.ClickAsync("#login-submit");
        await Expect(page.Locator("#alert-badge")).ToBeHiddenAsync();

        await page.ClickAsync("button[data-tab='settings']");
        await Expect(page.Locator("#link-state")).ToContainTextAsync("MQTT: connected", new() { Timeout = 20_000 });
        await Expect(page.Locator("#link-detail")).ToContainTextAsync($"iris/{setup.Serial}", new() { Timeout = 15_000 });
        await page.ClickAsync("#link-test");
        await page.FillAsync("#pairing-label", "phone");
        await page.ClickAsync("#form-pairing button[type=submit]");
        await Expect(page.Locator("#pairing-code")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(" [A-Z2-9]{10}$"), new() { Timeout = 15_000 });
        await Expect(page.Locator("#keys-list")).ToContainTextAsync("No paired keys.", new() { Timeout = 15_000 });

        await setup.Platform.WaitUntilAsync(p => p.Alerts($"iris/{setup.Serial}/alerts").Any(a => a.GetProperty("kind").GetString() == LinkService.TestAlertKind), TimeSpan.FromSeconds(20), "the test alert");
        await page.ClickAsync("button[data-tab='security']");
        // At least the test alert; the machine may be slow, so the badge gets time to load.
        await Expect(page.Locator("#alert-badge")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[1-9][0-9]*$"), new() { Timeout = 15_000 });
    }
}
