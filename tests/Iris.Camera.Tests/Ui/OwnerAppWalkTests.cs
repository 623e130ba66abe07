using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Iris.Camera.Tests.Ui;

/// <summary>
/// Issue 16 acceptance in real Chromium: every page at phone (390x844) and desktop (1280x800) size, as
/// Administrator and as Viewer. Every control of the page is on screen (no action hidden on a phone, nothing
/// sticking out sideways), the role sees only its pages, axe-core finds no serious or critical violation, and a
/// screenshot of each page is kept under artifacts/screenshots/owner-app.
/// </summary>
public sealed class OwnerAppWalkTests
{
    [Theory]
    [InlineData("Administrator", 390, 844)]
    [InlineData("Administrator", 1280, 800)]
    [InlineData("Viewer", 390, 844)]
    [InlineData("Viewer", 1280, 800)]
    public async Task EveryPage_ShowsEveryActionOfTheRole_OnScreen_WithNoSeriousAccessibilityViolation(string role, int width, int height)
    {
        await using var app = await OwnerAppBrowser.StartAsync(width, height);
        await app.SignInAsAsync(role);
        var admin = role == "Administrator";
        var pages = admin ? OwnerAppBrowser.AdminPages : OwnerAppBrowser.ViewerPages;
        var problems = new List<string>();

        foreach (var hidden in OwnerAppBrowser.AdminPages.Except(pages))
        {
            await Expect(app.Page.Locator($"button[data-tab='{hidden}']")).ToBeHiddenAsync();
        }

        foreach (var name in pages)
        {
            await app.OpenAsync(name);
            problems.AddRange((await app.UnreachableControlsAsync()).Select(p => $"{name}: {p}"));
            var axe = await app.Page.RunAxe();
            problems.AddRange(axe.Violations
                .Where(v => v.Impact is "serious" or "critical")
                .Select(v => $"{name}: axe {v.Id} ({v.Impact}) at {string.Join(", ", v.Nodes.Select(n => n.Target.ToString()))}"));
            await app.Page.ScreenshotAsync(new PageScreenshotOptions
            {
                Path = Path.Combine(OwnerAppBrowser.Screenshots, $"{role.ToLowerInvariant()}-{width}x{height}-{name}.png"),
                FullPage = true,
            });
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));

        // Every recording row keeps its actions at every size; only an administrator may delete.
        await app.OpenAsync("recordings");
        var row = app.Page.Locator("#recordings-body tr").First;
        await Expect(row.Locator("button.play")).ToBeVisibleAsync();
        await Expect(row.Locator("a.button")).ToBeVisibleAsync();
        if (admin)
        {
            await Expect(row.Locator("button.danger")).ToBeVisibleAsync();
            await Expect(app.Page.Locator("#delete-all")).ToBeEnabledAsync();
        }
        else
        {
            await Expect(row.Locator("button.danger")).ToHaveCountAsync(0);
            await Expect(app.Page.Locator("#delete-all")).ToBeHiddenAsync();
            await Expect(app.Page.Locator("#tab-recordings .role-line")).ToBeVisibleAsync();
        }

        // The address keeps the place across a reload.
        await app.Page.ReloadAsync();
        await Expect(app.Page.Locator("#tab-recordings")).ToBeVisibleAsync();
        await Expect(app.Page.Locator("button[data-tab='recordings']")).ToHaveAttributeAsync("aria-current", "page");
        Assert.Empty(app.Errors);
    }
}
