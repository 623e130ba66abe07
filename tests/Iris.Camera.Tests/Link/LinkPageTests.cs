using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;
using Iris.Camera.Link;
using Iris.Camera.Tests.Support;
using Iris.Camera.Tests.Ui;
using Iris.Camera.Tests.Web;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Iris.Camera.Tests.Link;

/// <summary>
/// Issue 15, Deliver 7, in real Chromium against a real mosquitto, at phone (390x844) and desktop (1280x800) size:
/// the platform link page shows the link's state, queue and last delivery, sends a test alert that reaches the
/// platform through the one dispatcher, pairs an app with a one-time code and lists it with its role and
/// fingerprint, revokes it, and makes a webhook key only with the password typed again. Every action is on screen
/// at both sizes, axe-core finds no serious or critical violation, and screenshots are kept under
/// artifacts/screenshots/owner-app. The navigation's alert badge counts the test alert.
/// </summary>
public sealed class LinkPageTests
{
    [Theory]
    [InlineData(390, 844)]
    [InlineData(1280, 800)]
    public async Task LinkPage_ShowsTheLink_SendsATestAlert_PairsAndRevokesAKey_WithEveryActionOnScreen(int width, int height)
    {
        await using var setup = await LinkedCamera.StartAsync();
        using (await setup.Camera.ClaimAsync())
        {
        }

        await using var browser = await LinkBrowser.OpenAsync(setup.Camera, width, height);
        var page = browser.Page;
        await Expect(page.Locator("#alert-badge")).ToBeHiddenAsync();
        await OpenLinkPageAsync(page);
        await Expect(page.Locator("#link-status dd[data-channel=mqtt]")).ToHaveAttributeAsync("data-state", "connected", new() { Timeout = 30_000 });
        await Expect(page.Locator("#link-status dd[data-channel=mqtt]")).ToContainTextAsync("0 waiting");
        await Expect(page.Locator("#link-status dd[data-channel=mqtt]")).ToContainTextAsync("last delivered never");
        await Expect(page.Locator("#link-status")).ToContainTextAsync($"iris/{setup.Serial}/");
        await Expect(page.Locator("#link-overflow")).ToHaveTextAsync("0");
        await Expect(page.Locator("#link-broker-host")).ToHaveValueAsync("127.0.0.1");
        await Expect(page.Locator("#link-ha-commands")).Not.ToBeCheckedAsync();
        await Expect(page.Locator("#link-ha-risk")).ToBeVisibleAsync();

        var problems = new List<string>(await OwnerAppBrowser.UnreachableControlsAsync(page));
        problems.AddRange((await page.RunAxe()).Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"axe {v.Id} ({v.Impact}) at {string.Join(", ", v.Nodes.Select(n => n.Target.ToString()))}"));

        // The test alert goes through the dispatcher (Events/AlertCenter) like any alert: the platform gets it, the
        // page shows the delivery, and the navigation's badge counts it as an open alert.
        await page.ClickAsync("#link-test");
        await Expect(page.Locator("#message")).ToHaveTextAsync("Test alert raised.");
        await setup.Platform.WaitUntilAsync(p => p.Alerts($"iris/{setup.Serial}/alerts").Any(a => a.GetProperty("kind").GetString() == LinkService.TestAlertKind), TimeSpan.FromSeconds(20), "the test alert");
        await page.ClickAsync("button[data-tab='platform']");
        await Expect(page.Locator("#link-status dd[data-channel=mqtt]")).Not.ToContainTextAsync("last delivered never", new() { Timeout = 15_000 });
        await Expect(page.Locator("#alert-badge")).ToHaveTextAsync(new Regex("^[1-9][0-9]*$"), new() { Timeout = 15_000 });

        // Pairing: a one-time code for a Viewer key, used by the app over the link; the key is listed with its role
        // and fingerprint, then revoked from the page.
        await Expect(page.Locator("#keys-empty")).ToBeVisibleAsync();
        await page.FillAsync("#pairing-label", "kitchen tablet");
        await page.SelectOptionAsync("#pairing-role", "Viewer");
        await page.ClickAsync("#form-pairing button[type=submit]");
        await Expect(page.Locator("#pairing-code")).ToHaveTextAsync(new Regex("^[A-Z2-9]{10}$"), new() { Timeout = 15_000 });
        var code = await page.InnerTextAsync("#pairing-code");
        using var app = new OwnerApp();
        var paired = await RemoteCommandTests.PublishAndAwaitAsync(setup, $"iris/{setup.Serial}/pair", app.PairingRequest(code), a => a.GetProperty("detail").GetString() == app.KeyId);
        Assert.Equal("paired", paired.GetProperty("status").GetString());
        await page.ClickAsync("button[data-tab='platform']");
        var row = page.Locator($"#keys-body tr[data-key='{app.KeyId}']");
        await Expect(row).ToContainTextAsync("kitchen tablet", new() { Timeout = 15_000 });
        await Expect(row).ToContainTextAsync("Viewer");
        await Expect(row.Locator("code")).ToHaveTextAsync(app.KeyId);
        problems.AddRange((await OwnerAppBrowser.UnreachableControlsAsync(page)).Select(p => $"with a key: {p}"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(OwnerAppBrowser.Screenshots, $"administrator-{width}x{height}-platform-link.png"), FullPage = true });

        await row.Locator("button.danger").ClickAsync();
        await Expect(page.Locator("#message")).ToHaveTextAsync("Key revoked.");
        await Expect(row).ToContainTextAsync("revoked");
        await Expect(row.Locator("button")).ToHaveCountAsync(0);
        var answer = await RemoteCommandTests.SendAsync(setup, app.Command(setup.Serial, "snapshot"));
        Assert.Equal("refused", answer.GetProperty("status").GetString());

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task WebhookKey_IsMadeOnlyWithThePasswordTypedAgain_AndShownOnce()
    {
        await using var camera = await InProcessCamera.StartAsync();
        using (await camera.ClaimAsync())
        {
        }

        await using var browser = await LinkBrowser.OpenAsync(camera, 390, 844);
        var page = browser.Page;
        await OpenLinkPageAsync(page);
        await Expect(page.Locator("#link-status dd[data-state=off]")).ToBeVisibleAsync();
        await Expect(page.Locator("#link-test")).ToBeDisabledAsync();
        await Expect(page.Locator("#link-key-state")).ToHaveTextAsync("No key yet: the webhook sends nothing until you make one.");

        browser.ExpectedRefusals.Add("/api/link/webhook/key");
        await page.FillAsync("#link-key-password", "not my password at all");
        await page.ClickAsync("#form-webhook-key button[type=submit]");
        await Expect(page.Locator("#message")).ToContainTextAsync("Type your own password to make a new webhook key.");
        await Expect(page.Locator("#link-key-shown")).ToBeHiddenAsync();
        await Expect(page.Locator("#link-key-password")).ToHaveValueAsync("");

        await page.FillAsync("#link-key-password", InProcessCamera.OwnerPassword);
        await page.ClickAsync("#form-webhook-key button[type=submit]");
        await Expect(page.Locator("#link-key-value")).ToHaveTextAsync(new Regex("^[A-Za-z0-9_-]{43}$"));
        await Expect(page.Locator("#link-key-state")).ToContainTextAsync("A key is set.");

        // Shown once: a reload shows that a key is set, never the key.
        var key = await page.InnerTextAsync("#link-key-value");
        await page.ReloadAsync();
        await Expect(page.Locator("#link-key-state")).ToContainTextAsync("A key is set.");
        Assert.DoesNotContain(key, await page.ContentAsync(), StringComparison.Ordinal);
    }

    /// <summary>
    /// Field errors of the link settings form come in the page's language, saying which field and what it needs:
    /// on the zh-TW page in Chinese (Web/FieldTexts, as every form's field errors), on the English page in English.
    /// </summary>
    [Fact]
    public async Task LinkSettingsFieldErrors_AreShownInThePagesLanguage_NamingTheFieldAndTheRule()
    {
        await using var setup = await LinkedCamera.StartAsync();
        using (await setup.Camera.ClaimAsync())
        {
        }

        await using var browser = await LinkBrowser.OpenAsync(setup.Camera, 390, 844);
        browser.ExpectedRefusals.Add("/api/link/settings");
        var page = browser.Page;
        await page.SelectOptionAsync("#language", "zh-Hant");
        await OpenLinkPageAsync(page);
        await page.FillAsync("#link-topic-root", "home/#");
        await page.ClickAsync("#form-link button[type=submit]");
        var message = page.Locator("#message");
        await Expect(message).ToContainTextAsync("主題前綴：長度必須是 1 到 64 個字元，不可含 MQTT 萬用字元 # 或 +，也不可以 $ 開頭。");
        var shown = (await message.InnerTextAsync()).Replace("MQTT", "", StringComparison.Ordinal);
        Assert.DoesNotMatch(new Regex("[A-Za-z]{2,}"), shown);

        await page.FillAsync("#link-topic-root", "iris");
        await page.FillAsync("#link-webhook-url", "http://receiver.example/hook");
        await page.ClickAsync("#form-link button[type=submit]");
        await Expect(message).ToContainTextAsync("接收端位址：必須是完整的 https:// 位址。");

        // Switching the language draws the page again from the device's settings: the wrong address is typed again.
        await page.SelectOptionAsync("#language", "en");
        await page.FillAsync("#link-webhook-url", "http://receiver.example/hook");
        await page.ClickAsync("#form-link button[type=submit]");
        await Expect(message).ToContainTextAsync("The receiver address must be an absolute https:// address.");
        await Expect(message).Not.ToContainTextAsync("Iris:Cloud");
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task AViewer_IsNotShownTheLinkPage_AndTheRoleLineSaysWhy()
    {
        await using var app = await OwnerAppBrowser.StartAsync(390, 844, withRecording: false);
        await app.SignInAsAsync("Viewer");
        await Expect(app.Page.Locator("button[data-tab='platform']")).ToBeHiddenAsync();
        await app.Page.EvaluateAsync("location.hash = '#/platform'");
        await app.Page.ReloadAsync();
        await Expect(app.Page.Locator("#tab-dashboard")).ToBeVisibleAsync();
        await Expect(app.Page.Locator("#tab-platform")).ToBeHiddenAsync();
        await Expect(app.Page.Locator("#tab-dashboard .role-line")).ToContainTextAsync("the platform link are for administrators");

        using var viewer = await CameraSessions.SignInAsync(app.Camera.BaseAddress, app.Camera.Certificate, OwnerAppBrowser.ViewerName, OwnerAppBrowser.ViewerPassword);
        foreach (var path in new[] { "/api/link", "/api/link/settings", "/api/link/keys" })
        {
            using var response = await viewer.Http.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }
    }

    private static async Task OpenLinkPageAsync(IPage page)
    {
        await page.ClickAsync("button[data-tab='platform']");
        await Expect(page.Locator("#tab-platform")).ToBeVisibleAsync();
        await Expect(page).ToHaveURLAsync(new Regex("#/platform$"));
        await Expect(page.Locator("#link-status dd").First).ToBeVisibleAsync(new() { Timeout = 15_000 });
    }
}

/// <summary>A Chromium page signed in as the owner of a camera the test started (with its own broker), collecting browser errors.</summary>
internal sealed class LinkBrowser : IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private LinkBrowser(IPlaywright playwright, IBrowser browser, IPage page)
    {
        _playwright = playwright;
        _browser = browser;
        Page = page;
    }

    public IPage Page { get; }

    public List<string> Errors { get; } = [];

    /// <summary>Paths a test is refused on purpose (a wrong password).</summary>
    public List<string> ExpectedRefusals { get; } = [];

    public static async Task<LinkBrowser> OpenAsync(InProcessCamera camera, int width, int height)
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(WebUiTests.LaunchOptions());
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            IgnoreHTTPSErrors = true,
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "en-US",
        });
        var page = await context.NewPageAsync();
        var opened = new LinkBrowser(playwright, browser, page);
        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        page.PageError += (_, error) => opened.Errors.Add(error);
        page.Response += (_, response) =>
        {
            var expected = response.Status == 401 && response.Url.EndsWith("/api/auth/session", StringComparison.Ordinal)
                || opened.ExpectedRefusals.Any(p => response.Url.EndsWith(p, StringComparison.Ordinal));
            if (response.Status >= 400 && !expected)
            {
                opened.Errors.Add($"{response.Status} {response.Url}");
            }
        };
        await page.GotoAsync(camera.BaseAddress.ToString());
        await page.FillAsync("#login-password", InProcessCamera.OwnerPassword);
        await page.ClickAsync("#login-submit");
        await Expect(page.Locator("#tab-dashboard")).ToBeVisibleAsync();
        return opened;
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
