using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Iris.Camera.Accounts;
using Iris.Camera.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Accounts;

/// <summary>IoT-1005-1 5.1.3.1 (default password), 5.1.1.3 (replay-proof login, sessions).</summary>
public sealed class ClaimAndLoginTests
{
    private static Uri Api(string path) => new(path, UriKind.Relative);

    [Fact]
    public async Task DefaultPassword_IsUniqueStrongAndShownOnce()
    {
        using var data = new TempDirectory();
        string first;
        await using (var camera = await InProcessCamera.StartAsync(data.Path))
        {
            first = camera.DefaultPassword!;
            Assert.Equal(1, camera.App.Services.GetRequiredService<CapturedDefaultPassword>().TimesShown);
        }

        await using (var restarted = await InProcessCamera.StartAsync(data.Path))
        {
            Assert.Null(restarted.DefaultPassword);
        }

        await using var other = await InProcessCamera.StartAsync();
        Assert.NotEqual(first, other.DefaultPassword);
        Assert.True(DefaultPassword.EntropyBits >= 80);
        Assert.Matches("^[2-9A-HJKMNP-Z]{4}(-[2-9A-HJKMNP-Z]{4}){4}$", first);
    }

    [Fact]
    public async Task DefaultPasswordSession_CanOnlySetANewPassword()
    {
        await using var camera = await InProcessCamera.StartAsync();
        using var restricted = await camera.SignInAsync("admin", camera.DefaultPassword!);

        using var users = await restricted.Http.GetAsync(Api("/api/users"));
        using var events = await restricted.Http.GetAsync(Api("/api/security/events"));
        var session = await restricted.Http.GetFromJsonAsync<JsonElement>(Api("/api/auth/session"));

        Assert.Equal(HttpStatusCode.Forbidden, users.StatusCode);
        Assert.Contains("urn:iris:problem:password-change-required", await users.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, events.StatusCode);
        Assert.True(session.GetProperty("mustChangePassword").GetBoolean());
    }

    [Fact]
    public async Task DefaultPassword_WorksExactlyOnce()
    {
        await using var camera = await InProcessCamera.StartAsync();
        var defaultPassword = camera.DefaultPassword!;
        using var owner = await camera.ClaimAsync();

        var (again, _) = await camera.TrySignInAsync("admin", defaultPassword);
        using var users = await owner.Http.GetAsync(Api("/api/users"));

        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
        Assert.Equal(HttpStatusCode.OK, users.StatusCode);
    }

    [Theory]
    [InlineData("short1!", "at least 12")]
    [InlineData("password1234", "commonly used")]
    [InlineData("!!Dragon2024!!", "commonly used")]
    [InlineData("my-admin-is-great", "username")]
    [InlineData("\u0001control-character!", "control")]
    public async Task WeakNewPasswords_AreRefusedWithAReason(string candidate, string reason)
    {
        await using var camera = await InProcessCamera.StartAsync();
        using var restricted = await camera.SignInAsync("admin", camera.DefaultPassword!);
        var before = StoredOwner(camera);

        using var response = await restricted.Http.PostAsJsonAsync(Api("/api/auth/password"), new { currentPassword = camera.DefaultPassword, newPassword = candidate });

        Assert.Contains(reason, await NewPasswordRefusalAsync(response), StringComparison.Ordinal);
        AssertPasswordUnchanged(before, StoredOwner(camera));
    }

    [Fact]
    public async Task NewPassword_EqualToTheDefaultOrContainingTheSerial_IsRefused()
    {
        await using var camera = await InProcessCamera.StartAsync();
        var serial = camera.App.Services.GetRequiredService<Iris.Camera.Identity.DeviceIdentity>().Serial;
        using var restricted = await camera.SignInAsync("admin", camera.DefaultPassword!);
        var before = StoredOwner(camera);

        using var reused = await restricted.Http.PostAsJsonAsync(Api("/api/auth/password"), new { currentPassword = camera.DefaultPassword, newPassword = camera.DefaultPassword });
        using var withSerial = await restricted.Http.PostAsJsonAsync(Api("/api/auth/password"), new { currentPassword = camera.DefaultPassword, newPassword = "cam " + serial + " rocks" });

        Assert.Contains("differ from the default", await NewPasswordRefusalAsync(reused), StringComparison.Ordinal);
        Assert.Contains("serial", await NewPasswordRefusalAsync(withSerial), StringComparison.Ordinal);
        AssertPasswordUnchanged(before, StoredOwner(camera));
    }

    [Fact]
    public async Task ReplayedLoginRequest_IsRefused()
    {
        await using var camera = await InProcessCamera.StartAsync();
        var nonce = await camera.NewNonceAsync();
        var request = new { username = "admin", password = camera.DefaultPassword, nonce };

        using var first = await camera.Client.PostAsJsonAsync(Api("/api/auth/login"), request);
        using var replay = await camera.Client.PostAsJsonAsync(Api("/api/auth/login"), request);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Contains("nonce-rejected", await replay.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("Set-Cookie", replay.Headers.Select(h => h.Key));
    }

    [Fact]
    public async Task Nonce_ExpiresAfterItsLifetime()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var camera = await InProcessCamera.StartAsync(time: time);
        var nonce = await camera.NewNonceAsync();
        // The same sign-in with a nonce issued at the same moment, used at once, works: the refusal below is the nonce's age.
        (await camera.SignInAsync("admin", camera.DefaultPassword!)).Dispose();
        var sessions = SessionCount(camera);
        time.Advance(TimeSpan.FromMinutes(3));

        using var late = await camera.Client.PostAsJsonAsync(Api("/api/auth/login"), new { username = "admin", password = camera.DefaultPassword, nonce });

        await ProblemAssert.IsAsync(late, HttpStatusCode.BadRequest, "urn:iris:problem:nonce-rejected");
        Assert.False(late.Headers.Contains("Set-Cookie"));
        Assert.Equal(sessions, SessionCount(camera));
    }

    [Fact]
    public async Task SessionCookie_IsUselessAfterLogout()
    {
        await using var camera = await InProcessCamera.StartAsync();
        using var owner = await camera.ClaimAsync();

        using var logout = await owner.Http.PostAsync(Api("/api/auth/logout"), null);
        using var after = await owner.Http.GetAsync(Api("/api/users"));

        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task SessionCookie_IsHostPrefixedSecureHttpOnlyStrict()
    {
        await using var camera = await InProcessCamera.StartAsync();
        var (response, client) = await camera.TrySignInAsync("admin", camera.DefaultPassword!);
        client!.Dispose();

        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("__Host-iris-session=", StringComparison.Ordinal)).ToLowerInvariant();
        Assert.Contains("secure", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.Ordinal);
        Assert.Contains("samesite=strict", cookie, StringComparison.Ordinal);
        Assert.Contains("path=/", cookie, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StateChangingRequest_WithoutCsrfToken_IsRefused()
    {
        await using var camera = await InProcessCamera.StartAsync();
        using var owner = await camera.ClaimAsync();
        using var noCsrf = PinnedHttpClient.Create(camera.BaseAddress, camera.Certificate);
        noCsrf.DefaultRequestHeaders.Add("Cookie", owner.CookieHeader);

        using var response = await noCsrf.PostAsJsonAsync(Api("/api/users"), new { username = "guest", role = "viewer", password = "quiet meadow ember 19" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("csrf", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Session_ExpiresWhenIdle()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var camera = await InProcessCamera.StartAsync(time: time);
        using var owner = await camera.ClaimAsync();
        using (var active = await owner.Http.GetAsync(Api("/api/users")))
        {
            Assert.Equal(HttpStatusCode.OK, active.StatusCode);
        }

        time.Advance(TimeSpan.FromMinutes(16));

        using var response = await owner.Http.GetAsync(Api("/api/users"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task PasswordChange_RevokesOtherSessions()
    {
        await using var camera = await InProcessCamera.StartAsync();
        using var first = await camera.ClaimAsync();
        using var second = await camera.SignInAsync("admin", InProcessCamera.OwnerPassword);

        using var change = await second.Http.PostAsJsonAsync(Api("/api/auth/password"), new { currentPassword = InProcessCamera.OwnerPassword, newPassword = "amber willow quartz 83" });
        using var firstAfter = await first.Http.GetAsync(Api("/api/users"));
        using var secondAfter = await second.Http.GetAsync(Api("/api/users"));

        Assert.Equal(HttpStatusCode.NoContent, change.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, firstAfter.StatusCode);
        Assert.Equal(HttpStatusCode.OK, secondAfter.StatusCode);
    }

    [Fact]
    public async Task UnknownUserAndWrongPassword_GetTheSameAnswer()
    {
        await using var camera = await InProcessCamera.StartAsync();
        var hasher = camera.App.Services.GetRequiredService<PasswordHasher>();

        var (unknown, _) = await camera.TrySignInAsync("nobody", "some password here");
        var before = hasher.Computations;
        var (wrong, _) = await camera.TrySignInAsync("admin", "some password here");

        Assert.Equal(unknown.StatusCode, wrong.StatusCode);
        Assert.Equal(Strip(await unknown.Content.ReadAsStringAsync()), Strip(await wrong.Content.ReadAsStringAsync()));
        Assert.Equal(before + 1, hasher.Computations);
    }

    /// <summary>The reason a refused new password was given (a weak-password problem names it under newPassword).</summary>
    private static async Task<string> NewPasswordRefusalAsync(HttpResponseMessage response)
    {
        var problem = await ProblemAssert.IsAsync(response, HttpStatusCode.BadRequest, "urn:iris:problem:weak-password");
        return string.Join(" ", problem.GetProperty("errors").GetProperty("newPassword").EnumerateArray().Select(e => e.GetString()));
    }

    private static Account StoredOwner(InProcessCamera camera) => camera.App.Services.GetRequiredService<AccountStore>().Find("admin")!;

    /// <summary>A refused change leaves the stored password, and the need to change it, as they were.</summary>
    private static void AssertPasswordUnchanged(Account before, Account after)
    {
        Assert.Equal(before.Password.Hash, after.Password.Hash);
        Assert.Equal(before.Password.Salt, after.Password.Salt);
        Assert.True(after.MustChangePassword);
    }

    private static long SessionCount(InProcessCamera camera)
    {
        using var connection = camera.App.Services.GetRequiredService<Iris.Camera.Storage.CameraDatabase>().OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sessions;";
        return (long)command.ExecuteScalar()!;
    }

    private static string Strip(string problem) => System.Text.RegularExpressions.Regex.Replace(problem, "\"traceId\":\"[^\"]*\"", "");
}
