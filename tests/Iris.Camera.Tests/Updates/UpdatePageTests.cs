using Iris.Camera.Tests.Support;
using Iris.Camera.Tests.Web;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Iris.Camera.Tests.Updates;

/// <summary>IoT-1005-1 5.3.1.3/5.3.1.4 in a real browser: the update status page and the support end date.</summary>
public sealed class UpdatePageTests
{
    [Fact]
    public async Task UpdatesPage_ShowsStatusAndSupportEnd_ChecksNow_AndSwitchesToManual()
    {
        await using var repo = new UpdateTestRepository();
        await repo.StartServerAsync();
        using var dir = new TempDirectory();
        await repo.PublishAsync(repo.ScriptApplication("v2", "exit 0"), "0.2.0", securityVersion: 2, entry: "start.sh");
        await using var device = await SlottedCamera.StartAsync(repo, dir);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(WebUiTests.LaunchOptions());
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true });
        var page = await context.NewPageAsync();

        await page.GotoAsync(device.Camera.BaseAddress.ToString());
        await page.FillAsync("#login-password", InProcessCamera.OwnerPassword);
        await page.ClickAsync("#login-submit");
        await Expect(page.Locator("#device-support-end")).ToHaveTextAsync("2031-12-31");
        await page.ClickAsync("button[data-tab='updates']");

        await Expect(page.Locator("#update-installed")).ToHaveTextAsync("0.1.0");
        await Expect(page.Locator("#update-slot")).ToHaveTextAsync("a");
        await Expect(page.Locator("#update-support-end")).ToHaveTextAsync("2031-12-31");
        await Expect(page.Locator("#update-available")).ToHaveTextAsync("None");
        await Expect(page.Locator("#update-install")).ToBeDisabledAsync();

        await page.ClickAsync("#update-check");
        await Expect(page.Locator("#update-available")).ToContainTextAsync("0.2.0");
        await Expect(page.Locator("#update-last-check")).ToContainTextAsync("version 0.2.0 is available");
        await Expect(page.Locator("#update-install")).ToBeEnabledAsync();

        await page.SelectOptionAsync("#update-mode", "manual");
        await page.ClickAsync("#form-update-mode button[type='submit']");
        await Expect(page.Locator("#message")).ToHaveTextAsync("Saved.");
        Assert.Equal(Iris.Camera.Updates.UpdateMode.Manual, (await device.StatusAsync()).Mode);
    }
}
