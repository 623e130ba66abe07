using System.Net;
using System.Net.Http.Json;
using Iris.Camera.Identity;
using Iris.Camera.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Iris.Camera.Tests.Web;

/// <summary>
/// The web UI in a real browser (Debian's headless Chromium through Playwright): claim, sign in, serial,
/// language switch, and the failed-login alert (5.1.3.1, 5.8.1.1, house style 10). Phone-sized viewport.
/// </summary>
public sealed class WebUiTests
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task LiveViewPage_ShowsChangingFrames()
    {
        await using var camera = await InProcessCamera.StartAsync(configure: Iris.Camera.Tests.Media.LiveViewTests.SmallFrames);
        using var owner = await camera.ClaimAsync();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(LaunchOptions());
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true, ViewportSize = new ViewportSize { Width = 390, Height = 844 } });
        // A browser without Media Source Extensions: the page falls back to MJPEG (the H.264 player has its own test).
        await context.AddInitScriptAsync("delete window.MediaSource;");
        var page = await context.NewPageAsync();

        await page.GotoAsync(camera.BaseAddress.ToString());
        await page.FillAsync("#login-password", InProcessCamera.OwnerPassword);
        await page.ClickAsync("#login-submit");
        await page.ClickAsync("button[data-tab='live']");
        var image = page.Locator("#live-image");
        await Expect(image).ToBeVisibleAsync();

        // The picture must change on screen: the block moves and the burned-in frame counter advances. The page
        // compares what the img element shows now with what it showed first (Playwright polls; no sleeps here).
        await page.WaitForFunctionAsync("""
            () => {
              const img = document.getElementById('live-image');
              if (!img.naturalWidth) return false;
              const canvas = document.createElement('canvas');
              canvas.width = img.naturalWidth;
              canvas.height = img.naturalHeight;
              canvas.getContext('2d').drawImage(img, 0, 0);
              const shown = canvas.toDataURL();
              if (!window.irisFirstFrame) { window.irisFirstFrame = shown; return false; }
              return shown !== window.irisFirstFrame;
            }
            """, null, new PageWaitForFunctionOptions { PollingInterval = 100, Timeout = 20_000 });
        var naturalWidth = await image.EvaluateAsync<int>("img => img.naturalWidth");
        Assert.Equal(320, naturalWidth);
    }

    [Fact]
    public async Task RecordingsPage_RecordsPlaysAndDeletesEverything()
    {
        // MJPEG playback in the img element; H.264 playback in the video element is LivePlayerPageTests'.
        await using var camera = await InProcessCamera.StartAsync(configure: Iris.Camera.Tests.Media.RecordingTests.OneSecondMjpegSegments);
        using var owner = await camera.ClaimAsync();
        var recorded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        camera.App.Services.GetRequiredService<Iris.Camera.Media.Recorder>().SegmentCompleted += _ => recorded.TrySetResult();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(LaunchOptions());
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true });
        var page = await context.NewPageAsync();
        page.Dialog += (_, dialog) => dialog.AcceptAsync(); // the delete-all confirmation

        await page.GotoAsync(camera.BaseAddress.ToString());
        await page.FillAsync("#login-password", InProcessCamera.OwnerPassword);
        await page.ClickAsync("#login-submit");
        await page.ClickAsync("button[data-tab='settings']");
        await Expect(page.Locator("#recording-mode")).ToHaveValueAsync("off");
        await page.SelectOptionAsync("#recording-mode", "continuous");
        await page.ClickAsync("#form-recording button[type='submit']");
        await Expect(page.Locator("#message")).ToHaveTextAsync("Saved.");
        await recorded.Task.WaitAsync(TimeSpan.FromSeconds(30));

        await page.SelectOptionAsync("#recording-mode", "off");
        await page.ClickAsync("#form-recording button[type='submit']");
        await page.ClickAsync("button[data-tab='recordings']");
        await page.Locator("#recordings-body button.play").First.ClickAsync();
        await page.WaitForFunctionAsync("() => document.getElementById('playback-image').naturalWidth === 320", null,
            new PageWaitForFunctionOptions { Timeout = 20_000 });

        await page.ClickAsync("#delete-all");
        await Expect(page.Locator("#recordings-empty")).ToBeVisibleAsync();
        Assert.Empty(Directory.GetFiles(Path.Combine(camera.DataDirectory, "recordings"), "*.seg"));
    }

    internal static BrowserTypeLaunchOptions LaunchOptions() => new()
    {
        ExecutablePath = Chromium,
        Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-quic"],
    };

    [Fact]
    public async Task Browser_ClaimsTheDevice_SeesTheSerial_SwitchesLanguage_AndSeesTheFailedLoginAlert()
    {
        await using var camera = await InProcessCamera.StartAsync();
        var serial = camera.App.Services.GetRequiredService<DeviceIdentity>().Serial;
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(LaunchOptions());
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            IgnoreHTTPSErrors = true, // the device certificate is self-signed; the API tests pin it
            ViewportSize = new ViewportSize { Width = 390, Height = 844 },
            Locale = "en-US",
        });
        var page = await context.NewPageAsync();
        var browserErrors = new List<string>();
        page.Console += (_, message) =>
        {
            // HTTP error responses are checked below, one by one; anything else logged as an error (a script
            // error, a CSP violation) fails the test.
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
            {
                browserErrors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => browserErrors.Add(error);
        page.Response += (_, response) =>
        {
            // The only expected error: the UI asking "am I signed in?" before sign-in.
            var expected = response.Status == 401 && response.Url.EndsWith("/api/auth/session", StringComparison.Ordinal);
            if (response.Status >= 400 && !expected)
            {
                browserErrors.Add($"{response.Status} {response.Url}");
            }
        };

        await page.GotoAsync(camera.BaseAddress.ToString());
        await Expect(page.Locator("#header-serial")).ToHaveTextAsync(serial);

        // Claim: the default password leads only to the set-password screen.
        await page.FillAsync("#login-password", camera.DefaultPassword!);
        await page.ClickAsync("#login-submit");
        await Expect(page.Locator("#view-claim")).ToBeVisibleAsync();
        // The password just typed at sign-in is not asked for again.
        await Expect(page.Locator("#claim-current")).ToBeHiddenAsync();
        await page.FillAsync("#claim-password", InProcessCamera.OwnerPassword);
        await page.FillAsync("#claim-repeat", InProcessCamera.OwnerPassword);
        await page.ClickAsync("#claim-submit");
        await Expect(page.Locator("#device-serial")).ToHaveTextAsync(serial);
        await Expect(page.Locator("#session-user")).ToContainTextAsync("admin");

        // Someone else guesses passwords from another address.
        using (var intruder = PinnedHttpClient.Create(camera.BaseAddress, camera.Certificate, localAddress: IPAddress.Parse("127.0.0.2")))
        {
            for (var i = 0; i < 5; i++)
            {
                using var nonceResponse = await intruder.PostAsync(new Uri("/api/auth/nonce", UriKind.Relative), null);
                var nonce = (await nonceResponse.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("nonce").GetString();
                using var attempt = await intruder.PostAsJsonAsync(new Uri("/api/auth/login", UriKind.Relative), new { username = "admin", password = "guess-" + i, nonce });
                Assert.True(attempt.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.TooManyRequests);
            }
        }

        await page.SelectOptionAsync("#language", "zh-Hant");
        await Expect(page.Locator("button[data-tab='security']")).ToHaveTextAsync("安全");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "zh-Hant");
        await page.ClickAsync("button[data-tab='security']");
        var alert = page.Locator("#alerts-list li[data-kind='brute-force']");
        await Expect(alert).ToContainTextAsync(serial);
        await Expect(alert).ToContainTextAsync("多次登入失敗");
        await Expect(page.Locator("#chain-status")).ToContainTextAsync("完整");

        var screenshots = Path.Combine(ServiceManifestTests.RepositoryRoot(), "artifacts", "screenshots");
        Directory.CreateDirectory(screenshots);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(screenshots, "security-zh-Hant.png"), FullPage = true });

        // Switching back keeps working, and the choice survives a reload.
        await page.SelectOptionAsync("#language", "en");
        await page.ReloadAsync();
        await Expect(page.Locator("button[data-tab='security']")).ToHaveTextAsync("Security");
        Assert.Empty(browserErrors);
    }
}
