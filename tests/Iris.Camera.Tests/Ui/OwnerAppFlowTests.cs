using System.Net;
using System.Net.Http.Json;
using Iris.Camera.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Iris.Camera.Tests.Ui;

/// <summary>
/// Issue 16 flows that must end on the right page without a manual reload (phone size): changing one's own
/// password with the device's strength estimate, a disabled user's next step, a factory reset, and page-scoped
/// success messages.
/// </summary>
public sealed class OwnerAppFlowTests
{
    private const string NewOwnerPassword = "saffron glacier whistle 72";

    [Fact]
    public async Task ChangingOwnPassword_ShowsTheDevicesEstimate_ConfirmsSuccess_AndTheNewPasswordWorks()
    {
        await using var app = await OwnerAppBrowser.StartAsync(390, 844, withRecording: false);
        await app.SignInAsAsync("Administrator");
        await app.OpenAsync("account");

        await app.Page.FillAsync("#account-password", "password1234");
        await Expect(app.Page.Locator("#account-meter-words")).ToHaveTextAsync("Too easy to guess");
        await app.Page.FillAsync("#account-password", NewOwnerPassword);
        await Expect(app.Page.Locator("#account-meter-words")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^(Strong enough|Very strong)$"));

        // A wrong current password is the device's answer, shown on this page.
        await app.Page.FillAsync("#account-current", "not my password at all");
        await app.Page.FillAsync("#account-repeat", NewOwnerPassword);
        await app.Page.ClickAsync("#account-submit");
        await Expect(app.Page.Locator("#message")).ToContainTextAsync("The password was not changed.");

        await app.Page.FillAsync("#account-current", InProcessCamera.OwnerPassword);
        await app.Page.FillAsync("#account-password", NewOwnerPassword);
        await app.Page.FillAsync("#account-repeat", NewOwnerPassword);
        await app.Page.ClickAsync("#account-submit");
        await Expect(app.Page.Locator("#message")).ToHaveTextAsync("Your password is changed.");
        await Expect(app.Page.Locator("#tab-account")).ToBeVisibleAsync();

        // The message belongs to its page: it is gone on the next one.
        await app.OpenAsync("dashboard");
        await Expect(app.Page.Locator("#message")).ToBeHiddenAsync();

        var (login, client) = await app.Camera.TrySignInAsync("admin", NewOwnerPassword);
        client?.Dispose();
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        app.ExpectSignOut = true; // the old sessions of the API client ended with the change
        Assert.DoesNotContain(app.Errors, e => !e.Contains("/api/auth/password", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DisabledUser_IsSentToSignIn_OnTheirNextStep_WithoutStaleData()
    {
        await using var app = await OwnerAppBrowser.StartAsync(390, 844, withRecording: false);
        await app.SignInAsAsync("Viewer");
        await Expect(app.Page.Locator("#tab-dashboard .role-line")).ToBeVisibleAsync();

        app.ExpectSignOut = true;
        using (var disable = await app.Owner.Http.PatchAsJsonAsync(new Uri($"/api/users/{OwnerAppBrowser.ViewerName}", UriKind.Relative), new { disabled = true }))
        {
            Assert.True(disable.IsSuccessStatusCode, await disable.Content.ReadAsStringAsync());
        }

        await app.Page.ClickAsync("button[data-tab='recordings']");
        await Expect(app.Page.Locator("#view-login")).ToBeVisibleAsync();
        await Expect(app.Page.Locator("#view-main")).ToBeHiddenAsync();
        await Expect(app.Page.Locator("#message")).ToHaveTextAsync("You are signed out (the session ended). Sign in again.");
    }

    [Fact]
    public async Task AddingAndDeletingAUser_ConfirmsByName_AndSaysItIsDone()
    {
        await using var app = await OwnerAppBrowser.StartAsync(390, 844, withRecording: false);
        var dialogs = new List<string>();
        app.Page.Dialog += (_, dialog) => dialogs.Add(dialog.Message);
        await app.SignInAsAsync("Administrator");
        await app.OpenAsync("users");

        await app.Page.FillAsync("#user-name", "grandma");
        await app.Page.FillAsync("#user-password", "tangerine orbit meadow 35");
        await app.Page.ClickAsync("#form-user button[type='submit']");
        await Expect(app.Page.Locator("#message")).ToHaveTextAsync("User added.");
        await Expect(app.Page.Locator("#users-body tr[data-user='grandma']")).ToBeVisibleAsync();

        // The signed-in administrator cannot strand themselves from this list.
        await Expect(app.Page.Locator("#users-body tr[data-user='admin'] button").First).ToBeDisabledAsync();

        await app.Page.Locator("#users-body tr[data-user='grandma'] button.danger").ClickAsync();
        await Expect(app.Page.Locator("#users-body tr[data-user='grandma']")).ToHaveCountAsync(0);
        await Expect(app.Page.Locator("#message")).ToHaveTextAsync("Done.");
        Assert.Contains(dialogs, d => d.Contains("“grandma”", StringComparison.Ordinal));
        Assert.Empty(app.Errors);
    }

    [Fact]
    public async Task FactoryReset_ShowsProgress_AndReconnectsToSignIn_ByItself()
    {
        await using var app = await OwnerAppBrowser.StartAsync(390, 844, withRecording: false);
        await app.SignInAsAsync("Administrator");
        await app.OpenAsync("privacy");
        app.ExpectSignOut = true;

        await app.Page.FillAsync("#reset-password", InProcessCamera.OwnerPassword);
        await app.Page.ClickAsync("#form-factory-reset button[type='submit']");
        await Expect(app.Page.Locator("#reset-progress")).ToBeVisibleAsync();
        await Expect(app.Page.Locator("#message")).ToContainTextAsync("reconnects by itself");
        await app.Restarts.Requested.WaitAsync(TimeSpan.FromSeconds(10));

        // The daemon is not restarted in-process; what the page sees after a real restart is that every session is
        // gone. Ending the sessions stands in for that (FactoryResetTests covers the erasure itself).
        using (var change = await app.Owner.Http.PostAsJsonAsync(new Uri("/api/auth/password", UriKind.Relative), new { currentPassword = InProcessCamera.OwnerPassword, newPassword = NewOwnerPassword }))
        {
            Assert.True(change.IsSuccessStatusCode, await change.Content.ReadAsStringAsync());
        }

        await Expect(app.Page.Locator("#view-login")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Expect(app.Page.Locator("#message")).ToContainTextAsync("default password on its label");
    }
}
