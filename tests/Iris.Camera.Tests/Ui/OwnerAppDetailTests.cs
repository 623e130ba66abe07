using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Iris.Camera.Tests.Ui;

/// <summary>
/// Issue 16, what the screenshots and a new owner's walk showed: the dashboard's storage figures are the device's
/// own estimate, sizes read in a unit that fits, the navigation is one row at desktop size, schedule hours are
/// 24-hour text in either language, and the session-expiry and sign-in flows end on the right screen.
/// </summary>
public sealed class OwnerAppDetailTests
{
    [Fact]
    public async Task Dashboard_ShowsTheDevicesStorageEstimate_AndSizesInAUnitThatFits()
    {
        await using var app = await OwnerAppBrowser.StartAsync(390, 844);
        await app.SignInAsAsync("Administrator");

        // Two one-second segments were just recorded: under a minute of recording measures nothing yet, and a
        // recording of a few dozen kilobytes is not "0.0 MiB".
        var storage = app.Page.Locator("#dash-status dd[data-line='storageUsed']");
        await Expect(storage).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+ recordings · [\d.,]+ (B|KiB|MiB) of [\d.,]+ (MiB|GiB) used$"));
        await Expect(app.Page.Locator("#dash-status dd[data-line='recordingsLast']")).ToHaveTextAsync("not measured yet (needs a few minutes of recording)");
        await app.OpenAsync("recordings");
        await Expect(app.Page.Locator("#recordings-body td[data-label='Size']").First).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^[1-9][\d,]* (B|KiB)$"));

        // The line shows the device's figures as they come (here a measured estimate), not days read out of the
        // privacy inventory's retention text (which says 7 days).
        await app.Page.RouteAsync("**/api/recordings/settings", async route =>
        {
            var body = JsonSerializer.Serialize(new
            {
                mode = "continuous",
                format = "h264",
                formatProblem = (string?)null,
                storage = new { usedBytes = 1288490189L, capacityBytes = 8589934592L, bytesPerHour = 52428800L, daysKept = 6.8 },
            });
            await route.FulfillAsync(new() { Status = 200, ContentType = "application/json", Body = body });
        });
        await app.OpenAsync("dashboard");
        await Expect(storage).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+ recordings · 1\.2 GiB of 8 GiB used$"));
        await Expect(app.Page.Locator("#dash-status dd[data-line='recordingsLast']")).ToHaveTextAsync("about 6.8 days at 50 MiB per hour");
        Assert.Empty(app.Errors);
    }

    [Fact]
    public async Task Navigation_IsOneRow_AtDesktopSize_AndTheCurrentPageDoesNotLookLikeSignOut()
    {
        await using var app = await OwnerAppBrowser.StartAsync(1280, 800, withRecording: false);
        await app.SignInAsAsync("Administrator");
        var rows = await app.Page.EvaluateAsync<double[]>("() => [...document.querySelectorAll('#nav-pages > button')].filter(b => !b.hidden).map(b => Math.round(b.getBoundingClientRect().top))");
        Assert.True(rows.Length >= 10, $"{rows.Length} buttons");
        Assert.Single(rows.Distinct());
        var overflows = await app.Page.EvaluateAsync<bool>("() => { const n = document.getElementById('nav-pages'); return n.scrollWidth > n.clientWidth + 1; }");
        Assert.False(overflows);

        var current = await BackgroundAsync(app.Page, "#nav-pages button[aria-current='page']");
        var signOut = await BackgroundAsync(app.Page, "#logout");
        var other = await BackgroundAsync(app.Page, "#nav-pages button[data-tab='live']");
        Assert.NotEqual(current, signOut);
        Assert.NotEqual(current, other);
    }

    [Fact]
    public async Task Navigation_OnAPhone_IsOneRow_ThatSaysThereIsMore()
    {
        await using var app = await OwnerAppBrowser.StartAsync(390, 844, withRecording: false);
        await app.SignInAsAsync("Administrator");
        var nav = app.Page.Locator("#nav-pages");
        await Expect(nav).ToHaveAttributeAsync("data-more", "end");
        var rows = await app.Page.EvaluateAsync<double[]>("() => [...document.querySelectorAll('#nav-pages > button')].filter(b => !b.hidden).map(b => Math.round(b.getBoundingClientRect().top))");
        Assert.Single(rows.Distinct());
        await app.OpenAsync("privacy");
        await Expect(nav).ToHaveAttributeAsync("data-more", new System.Text.RegularExpressions.Regex("^(start|both)$"));
    }

    [Fact]
    public async Task ScheduleHours_AreTwentyFourHourText_OnTheChinesePage()
    {
        await using var app = await OwnerAppBrowser.StartAsync(390, 844, withRecording: false, locale: "zh-TW");
        await app.SignInAsAsync("Administrator");
        await app.OpenAsync("settings");
        await app.Page.Locator("#schedule-on").CheckAsync();

        // Not the browser's time control, which draws "12:00 AM" whatever the page's language.
        await Expect(app.Page.Locator("#schedule-from")).ToHaveAttributeAsync("inputmode", "numeric");
        Assert.Equal("text", await app.Page.Locator("#schedule-from").EvaluateAsync<string>("e => e.type"));
        await Expect(app.Page.Locator("#schedule-from")).ToHaveValueAsync("00:00");
        await Expect(app.Page.Locator("#schedule-format")).ToHaveTextAsync("以 24 小時制填寫，例如 07:30 或 22:00。");

        await app.Page.Locator("#schedule-from").FillAsync("25:00");
        await app.Page.ClickAsync("#form-motion button[type='submit']");
        await Expect(app.Page.Locator("#message")).ToHaveTextAsync("請以 24 小時制的「時:分」填寫時間，例如 07:30 或 22:00。");

        // A short form is written out in full.
        await app.Page.Locator("#schedule-from").FillAsync("7:30");
        await app.Page.Locator("#schedule-to").FillAsync("2200");
        await app.Page.ClickAsync("#form-motion button[type='submit']");
        await Expect(app.Page.Locator("#message")).ToHaveTextAsync("已儲存。");
        await Expect(app.Page.Locator("#schedule-from")).ToHaveValueAsync("07:30");
        await Expect(app.Page.Locator("#schedule-to")).ToHaveValueAsync("22:00");
        Assert.Empty(app.Errors);
    }

    [Fact]
    public async Task ExpiredSession_SendsThePageToSignIn_OnTheNextStep()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await OwnerAppBrowser.StartAsync(390, 844, withRecording: false, time: time);
        await app.SignInAsAsync("Administrator");
        await app.OpenAsync("users");

        app.ExpectSignOut = true;
        time.Advance(TimeSpan.FromMinutes(16)); // the idle timeout is 15 minutes
        await app.Page.ClickAsync("button[data-tab='security']");

        await Expect(app.Page.Locator("#view-login")).ToBeVisibleAsync();
        await Expect(app.Page.Locator("#view-main")).ToBeHiddenAsync();
        await Expect(app.Page.Locator("#message")).ToHaveTextAsync("You are signed out (the session ended). Sign in again.");

        // Signing in again opens the page that was asked for, at its address.
        await app.Page.FillAsync("#login-password", Support.InProcessCamera.OwnerPassword);
        await app.Page.ClickAsync("#login-submit");
        await Expect(app.Page.Locator("#tab-security")).ToBeVisibleAsync();
        await Expect(app.Page.Locator("#message")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task AFailedSignIn_AnsweredLate_DoesNotFollowTheOwnerOntoTheNextScreen()
    {
        await using var app = await OwnerAppBrowser.StartAsync(390, 844, withRecording: false);
        app.ExpectSignOut = true; // the wrong password's 401
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = true;
        await app.Page.RouteAsync("**/api/auth/login", async route =>
        {
            if (first)
            {
                first = false;
                await release.Task; // the device slows failures down
            }

            await route.ContinueAsync();
        });
        await app.Page.GotoAsync(app.Camera.BaseAddress.ToString());
        await app.Page.FillAsync("#login-password", "not the password");
        await app.Page.ClickAsync("#login-submit");
        // While the first attempt waits, a second cannot be sent over it.
        await Expect(app.Page.Locator("#login-submit")).ToBeDisabledAsync();
        release.SetResult();
        await Expect(app.Page.Locator("#message")).ToContainTextAsync("The username or password is wrong.");
        await Expect(app.Page.Locator("#login-submit")).ToBeEnabledAsync();

        await app.Page.FillAsync("#login-username", OwnerAppBrowser.ViewerName);
        await app.Page.FillAsync("#login-password", OwnerAppBrowser.ViewerTemporaryPassword);
        await app.Page.ClickAsync("#login-submit");
        await Expect(app.Page.Locator("#view-claim")).ToBeVisibleAsync();
        await Expect(app.Page.Locator("#message")).ToBeHiddenAsync();
        await Expect(app.Page.Locator("#claim-meter-words")).ToHaveTextAsync("Type a new password.");
    }

    [Fact]
    public async Task AFailedUpdateCheck_SaysItCouldNotCheck_OnThePageAndTheDashboard()
    {
        await using var app = await OwnerAppBrowser.StartAsync(390, 844, withRecording: false);
        await app.SignInAsAsync("Administrator");
        await app.OpenAsync("updates");
        // This camera starts from a single copy: it cannot install, so it does not offer to.
        await Expect(app.Page.Locator("#update-install")).ToBeHiddenAsync();

        // No update repository is configured here: the check fails, and the page does not call that "Done.".
        await app.Page.ClickAsync("#update-check");
        await Expect(app.Page.Locator("#message")).ToContainTextAsync("could not check: update server not reachable");
        await Expect(app.Page.Locator("#message")).Not.ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bok\b"));
        await app.OpenAsync("dashboard");
        var line = app.Page.Locator("#dash-status dd[data-line='updateState']");
        await Expect(line).ToContainTextAsync("could not check");
        await Expect(line).Not.ToContainTextAsync("up to date");
        await Expect(line).ToHaveClassAsync("warn");
    }

    [Fact]
    public async Task Settings_ShowOnlyTheFieldTheChosenSourceUses_AndTheAccountPageAsksForTheCurrentPassword()
    {
        await using var app = await OwnerAppBrowser.StartAsync(390, 844, withRecording: false);
        await app.SignInAsAsync("Administrator");
        await app.OpenAsync("settings");
        await Expect(app.Page.Locator("#video-device")).ToBeHiddenAsync();
        await Expect(app.Page.Locator("#video-url")).ToBeHiddenAsync();
        await app.Page.SelectOptionAsync("#video-source", "v4l2");
        await Expect(app.Page.Locator("#video-device")).ToBeVisibleAsync();
        await Expect(app.Page.Locator("#video-url")).ToBeHiddenAsync();
        await app.Page.SelectOptionAsync("#video-source", "stream");
        await Expect(app.Page.Locator("#video-device")).ToBeHiddenAsync();
        await Expect(app.Page.Locator("#video-url")).ToBeVisibleAsync();

        await app.OpenAsync("security");
        await Expect(app.Page.Locator("#tab-security h1")).ToHaveTextAsync("Security");
        await app.OpenAsync("account");
        await Expect(app.Page.GetByLabel("Current password")).ToHaveIdAsync("account-current");
        await Expect(app.Page.Locator("#account-meter-words")).ToHaveTextAsync("Type a new password.");
        await Expect(app.Page.Locator("#account-meter")).ToHaveAttributeAsync("low", "0.47");
        Assert.Empty(app.Errors);
    }

    [Fact]
    public async Task SetupGuide_IsShownInTheLanguageChosenInTheApp()
    {
        await using var app = await OwnerAppBrowser.StartAsync(390, 844, withRecording: false);
        await app.Page.GotoAsync(app.Camera.BaseAddress.ToString());
        await app.Page.SelectOptionAsync("#language", "zh-Hant");
        await app.Page.ClickAsync("a.guide");

        await Expect(app.Page.Locator("section[lang='zh-TW'] h1")).ToHaveTextAsync("使用者安全設定指南");
        await Expect(app.Page.Locator("section[lang='en']")).ToBeHiddenAsync();
        await Expect(app.Page.Locator("html")).ToHaveAttributeAsync("lang", "zh-TW");

        await app.Page.GotoAsync(app.Camera.BaseAddress.ToString());
        await app.Page.SelectOptionAsync("#language", "en");
        await app.Page.ClickAsync("a.guide");
        await Expect(app.Page.Locator("section[lang='en'] h1")).ToHaveTextAsync("Owner's setup guide");
        await Expect(app.Page.Locator("section[lang='zh-TW']")).ToBeHiddenAsync();
        Assert.Empty(app.Errors);
    }

    [Fact]
    public async Task AFormsButton_IsDisabledWhileItsRequestIsOnItsWay_AndComesBackAfter()
    {
        await using var app = await OwnerAppBrowser.StartAsync(390, 844, withRecording: false);
        await app.SignInAsAsync("Administrator");
        await app.OpenAsync("users");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await app.Page.RouteAsync("**/api/users", async route =>
        {
            if (route.Request.Method == "POST")
            {
                await release.Task; // a slow camera
            }

            await route.ContinueAsync();
        });

        var add = app.Page.Locator("#form-user button[type='submit']");
        await app.Page.FillAsync("#user-name", "grandpa");
        await app.Page.FillAsync("#user-password", "tangerine orbit meadow 35");
        await add.ClickAsync();
        await Expect(add).ToBeDisabledAsync();
        await Expect(add).ToHaveAttributeAsync("aria-busy", "true");
        release.SetResult();
        await Expect(app.Page.Locator("#message")).ToHaveTextAsync("User added.");
        await Expect(add).ToBeEnabledAsync();

        // A form the page itself refuses (the passwords differ) sends nothing and gives its button back at once.
        await app.OpenAsync("account");
        await app.Page.FillAsync("#account-current", Support.InProcessCamera.OwnerPassword);
        await app.Page.FillAsync("#account-password", "saffron glacier whistle 72");
        await app.Page.FillAsync("#account-repeat", "saffron glacier whistle 73");
        await app.Page.ClickAsync("#account-submit");
        await Expect(app.Page.Locator("#message")).Not.ToBeHiddenAsync();
        await Expect(app.Page.Locator("#account-submit")).ToBeEnabledAsync();
        Assert.Empty(app.Errors);
    }

    private static Task<string> BackgroundAsync(IPage page, string selector) =>
        page.Locator(selector).EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor + ' ' + getComputedStyle(e).borderColor");
}
