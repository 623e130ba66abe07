using System.Net.Http.Json;
using Iris.Camera.Tests.Support;
using Iris.Camera.Tests.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Iris.Camera.Tests.Ui;

/// <summary>
/// A claimed camera with one recording and a viewer account, and a Chromium page on it at a given size: what the
/// owner-app tests walk. Browser errors (script errors, CSP violations, unexpected HTTP errors) are collected.
/// </summary>
internal sealed class OwnerAppBrowser : IAsyncDisposable
{
    public const string ViewerName = "family";
    public const string ViewerTemporaryPassword = "amber kettle zeppelin 58";
    public const string ViewerPassword = "willow compass parade 61";

    /// <summary>The pages of each role; "help" is reached from the page before it (its help link), not the navigation.</summary>
    public static readonly string[] AdminPages = ["dashboard", "live", "recordings", "settings", "users", "security", "updates", "privacy", "platform", "account", "help"];
    public static readonly string[] ViewerPages = ["dashboard", "live", "recordings", "account", "help"];

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    private OwnerAppBrowser(InProcessCamera camera, SignedInClient owner)
    {
        Camera = camera;
        Owner = owner;
    }

    public InProcessCamera Camera { get; }

    public SignedInClient Owner { get; }

    public IPage Page { get; private set; } = null!;

    /// <summary>Restarts the daemon asked for (a factory reset asks for one); the process is not actually restarted here.</summary>
    public RestartRequests Restarts { get; private init; } = null!;

    public List<string> Errors { get; } = [];

    public static string Screenshots
    {
        get
        {
            var path = Path.Combine(ServiceManifestTests.RepositoryRoot(), "artifacts", "screenshots", "owner-app");
            Directory.CreateDirectory(path);
            return path;
        }
    }

    public static async Task<OwnerAppBrowser> StartAsync(int width, int height, bool withRecording = true, string locale = "en-US", bool mjpegRecordings = false, TimeProvider? time = null)
    {
        var restart = new RestartRequests();
        var camera = await InProcessCamera.StartAsync(configure: b =>
        {
            if (mjpegRecordings)
            {
                Iris.Camera.Tests.Media.RecordingTests.OneSecondMjpegSegments(b);
            }
            else
            {
                Iris.Camera.Tests.Media.RecordingTests.OneSecondSegments(b);
            }

            b.Services.AddSingleton<Iris.Camera.Platform.IRestartRequester>(restart);
        }, time: time);
        var owner = await camera.ClaimAsync();
        var app = new OwnerAppBrowser(camera, owner) { Restarts = restart };
        using (var create = await owner.Http.PostAsJsonAsync(new Uri("/api/users", UriKind.Relative), new { username = ViewerName, role = "viewer", password = ViewerTemporaryPassword }))
        {
            Assert.True(create.IsSuccessStatusCode, await create.Content.ReadAsStringAsync());
        }

        if (withRecording)
        {
            var recorded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            camera.App.Services.GetRequiredService<Iris.Camera.Media.Recorder>().SegmentCompleted += _ => recorded.TrySetResult();
            await SetRecordingAsync(owner, "continuous");
            await recorded.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await SetRecordingAsync(owner, "off");
        }

        app._playwright = await Playwright.CreateAsync();
        app._browser = await app._playwright.Chromium.LaunchAsync(WebUiTests.LaunchOptions());
        var context = await app._browser.NewContextAsync(new BrowserNewContextOptions
        {
            IgnoreHTTPSErrors = true,
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = locale,
        });
        app.Page = await context.NewPageAsync();
        app.Page.Dialog += (_, dialog) => dialog.AcceptAsync();
        app.Page.PageError += (_, error) => app.Errors.Add(error);
        app.Page.Console += (_, message) =>
        {
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
            {
                app.Errors.Add(message.Text);
            }
        };
        app.Page.Response += (_, response) =>
        {
            // Expected: "am I signed in?" before sign-in, and the sign-in or session that a test ends on purpose.
            var expected = response.Status == 401 && (response.Url.EndsWith("/api/auth/session", StringComparison.Ordinal) || app.ExpectSignOut);
            if (response.Status >= 400 && !expected)
            {
                // The problem's type says which refusal it was.
                app.Errors.Add($"{response.Status} {response.Url} {response.Headers.GetValueOrDefault("content-type")}");
                _ = response.TextAsync().ContinueWith(body => app.Errors.Add($"  {response.Url}: {body.Result}"), TaskScheduler.Default);
            }
        };
        return app;
    }

    /// <summary>Set by a test that ends the browser's session on purpose, so the 401 that follows is expected.</summary>
    public bool ExpectSignOut { get; set; }

    private static async Task SetRecordingAsync(SignedInClient owner, string mode)
    {
        using var response = await owner.Http.PutAsJsonAsync(new Uri("/api/recordings/settings", UriKind.Relative), new { mode });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task SignInAsync(string username, string password)
    {
        await Page.GotoAsync(Camera.BaseAddress.ToString());
        await Page.FillAsync("#login-username", username);
        await Page.FillAsync("#login-password", password);
        await Page.ClickAsync("#login-submit");
    }

    /// <summary>Signs in as the owner, or as the viewer (claiming their temporary password first), and waits for the dashboard.</summary>
    public async Task SignInAsAsync(string role)
    {
        if (role == "Administrator")
        {
            await SignInAsync("admin", InProcessCamera.OwnerPassword);
        }
        else
        {
            await SignInAsync(ViewerName, ViewerTemporaryPassword);
            await Expect(Page.Locator("#view-claim")).ToBeVisibleAsync();
            await Page.FillAsync("#claim-password", ViewerPassword);
            await Page.FillAsync("#claim-repeat", ViewerPassword);
            await Page.ClickAsync("#claim-submit");
        }

        await Expect(Page.Locator("#tab-dashboard")).ToBeVisibleAsync();
    }

    /// <summary>Opens a page the way a person does (its navigation button) and waits until its data is shown.</summary>
    public async Task OpenAsync(string name)
    {
        if (name == "help")
        {
            await Page.ClickAsync("section[id^=tab-]:not([hidden]) p.help a");
            await Expect(Page.Locator("#tab-help")).ToBeVisibleAsync();
            await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("#/help/[a-z]+$"));
            await Expect(Page.Locator("#help-body p").Nth(1)).ToBeVisibleAsync();
            return;
        }

        await Page.ClickAsync($"button[data-tab='{name}']");
        await Expect(Page.Locator($"#tab-{name}")).ToBeVisibleAsync();
        await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"#/{name}$"));
        var ready = name switch
        {
            "dashboard" => "#dash-status dd",
            "live" => "#privacy-toggle, #snapshot-link",
            "recordings" => "#motion-events li",
            "settings" => "#motion-sensitivity-words:not(:empty)",
            "users" => "#users-body tr",
            "security" => "#events-body tr",
            "updates" => "#update-installed:not(:empty)",
            "privacy" => "#inventory-body tr",
            "platform" => "#link-status dd",
            _ => "#form-account",
        };
        await Expect(Page.Locator(ready).First).ToBeVisibleAsync(new() { Timeout = 15_000 });
    }

    /// <summary>
    /// Controls on the shown page that a person cannot reach: hidden by style (not by the page's own hidden
    /// attribute or a closed help section), or sticking out of the viewport sideways; and whether the page scrolls sideways.
    /// </summary>
    public Task<string[]> UnreachableControlsAsync() => UnreachableControlsAsync(Page);

    /// <summary>The same check on any page of the owner app (the link page tests bring their own camera and broker).</summary>
    public static Task<string[]> UnreachableControlsAsync(IPage page) => page.EvaluateAsync<string[]>("""
        () => {
          const problems = [];
          if (document.documentElement.scrollWidth > window.innerWidth + 1) problems.push(`page is ${document.documentElement.scrollWidth}px wide`);
          const section = [...document.querySelectorAll('section[id^=tab-]')].find(s => !s.hidden);
          for (const el of section.querySelectorAll('button, a.button, input, select, a[href]')) {
            if (el.closest('[hidden]') || el.closest('details:not([open]) > :not(summary)')) continue;
            const box = el.getBoundingClientRect();
            const name = `${el.tagName.toLowerCase()}#${el.id || ''} "${(el.textContent || el.value || '').trim().slice(0, 30)}"`;
            if (!el.checkVisibility() || box.width === 0 || box.height === 0) problems.push(`${name} not shown`);
            else if (box.left < 0 || box.right > window.innerWidth + 1) problems.push(`${name} outside the screen (${Math.round(box.left)}-${Math.round(box.right)})`);
          }
          return problems;
        }
        """);

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        Owner.Dispose();
        await Camera.DisposeAsync();
    }
}

/// <summary>Records restart requests instead of exiting the test process.</summary>
internal sealed class RestartRequests : Iris.Camera.Platform.IRestartRequester
{
    private readonly TaskCompletionSource _requested = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Requested => _requested.Task;

    public void RequestRestart() => _requested.TrySetResult();
}
