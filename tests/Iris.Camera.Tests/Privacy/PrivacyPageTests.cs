using Iris.Camera.Tests.Support;
using Iris.Camera.Tests.Web;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Iris.Camera.Tests.Privacy;

/// <summary>IoT-1005-1 5.7.1.1/5.7.1.2 in a real browser: the inventory is shown, a kind can be deleted, and the telemetry consent screen states what, why, to whom and how to withdraw.</summary>
public sealed class PrivacyPageTests
{
    [Fact]
    public async Task PrivacyPage_ShowsTheInventory_DeletesAKind_AndExplainsTelemetry()
    {
        await using var camera = await InProcessCamera.StartAsync();
        using var owner = await camera.ClaimAsync();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(WebUiTests.LaunchOptions());
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true });
        var page = await context.NewPageAsync();
        // Confirmations are accepted; "delete all" takes the owner's password in the page's own password field.
        var dialogs = new List<string>();
        page.Dialog += (_, dialog) => { dialogs.Add($"{dialog.Type}: {dialog.Message}"); _ = dialog.AcceptAsync(); };

        await page.GotoAsync(camera.BaseAddress.ToString());
        await page.FillAsync("#login-password", InProcessCamera.OwnerPassword);
        await page.ClickAsync("#login-submit");
        await page.ClickAsync("button[data-tab='privacy']");

        await Expect(page.Locator("#inventory-body tr[data-kind='recordings']")).ToContainTextAsync("Recordings");
        await Expect(page.Locator("#inventory-body tr[data-kind='snapshots']")).ToContainTextAsync("Not stored");
        await Expect(page.Locator("#telemetry-state")).ToHaveTextAsync("Telemetry is not available on this camera (no receiver configured).");
        await Expect(page.Locator("#telemetry-text")).ToContainTextAsync("withdraw");
        await Expect(page.Locator("#telemetry-accept")).ToBeDisabledAsync();

        await page.ClickAsync("#inventory-body tr[data-kind='motion-events'] button");
        await Expect(page.Locator("#message")).ToHaveTextAsync("Deleted.");
        var events = await owner.Http.GetStringAsync(new Uri("/api/security/events", UriKind.Relative));
        Assert.Contains("personal-data-deleted", events, StringComparison.Ordinal);
        Assert.Contains("motion-events (0)", events, StringComparison.Ordinal);

        await page.EvaluateAsync("document.getElementById('message').textContent = ''");
        Assert.Equal("password", await page.Locator("#delete-personal-password").GetAttributeAsync("type"));
        await page.FillAsync("#delete-personal-password", InProcessCamera.OwnerPassword);
        await page.ClickAsync("#delete-personal-all");
        await Expect(page.Locator("#message")).ToHaveTextAsync("Deleted.");
        // One confirmation, which says what stays; no prompt (it would show the password in clear text).
        Assert.DoesNotContain(dialogs, d => d.StartsWith("prompt", StringComparison.Ordinal));
        Assert.Contains(dialogs, d => d.StartsWith("confirm", StringComparison.Ordinal) && d.Contains("Your own account stays", StringComparison.Ordinal));
        await Expect(page.Locator("#delete-personal-password")).ToHaveValueAsync("");
        var afterAll = await owner.Http.GetStringAsync(new Uri("/api/security/events", UriKind.Relative));
        Assert.Contains("security-log (", afterAll, StringComparison.Ordinal);
        Assert.Contains("telemetry (0)", afterAll, StringComparison.Ordinal);
    }
}
