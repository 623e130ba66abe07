using System.Net;
using System.Net.Http.Json;
using Iris.Camera.Platform;
using Iris.Camera.Events;
using Iris.Camera.Tests.Support;
using Iris.Camera.Updates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Iris.Camera.Tests.Accounts;

/// <summary>
/// Re-authentication (issue 11, point 8; issue 10, point 4): every step that asks for the password again goes
/// through one throttled, logged service, counted per account and session, never per address.
/// </summary>
public sealed class StepUpTests
{
    private static Uri Api(string path) => new(path, UriKind.Relative);

    [Fact]
    public async Task WrongCurrentPasswords_LockThatAccountsConfirmation_NotLoginsOrOtherAccountsAtTheSameAddress()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var camera = await InProcessCamera.StartAsync(time: time);
        using var admin = await camera.ClaimAsync();
        await CreateViewerAsync(admin, "viewer1", "copper kettle morning 62");
        using var viewer = await camera.SignInAsync("viewer1", "copper kettle morning 62");
        var serial = camera.App.Services.GetRequiredService<Iris.Camera.Identity.DeviceIdentity>().Serial;

        var statuses = new List<HttpStatusCode>();
        string last = "";
        for (var i = 0; i < 12; i++)
        {
            using var response = await viewer.Http.PostAsJsonAsync(Api("/api/auth/password"), new { currentPassword = "not it " + i, newPassword = "amber willow quartz 83" });
            statuses.Add(response.StatusCode);
            last = await response.Content.ReadAsStringAsync();
        }

        // The viewer's own right password is refused too while locked.
        using var rightButLocked = await viewer.Http.PostAsJsonAsync(Api("/api/auth/password"), new { currentPassword = "copper kettle morning 62", newPassword = "amber willow quartz 83" });
        // Same address, other account: signs in and confirms its password as usual; the viewer still signs in.
        using var adminAgain = await camera.SignInAsync("admin", InProcessCamera.OwnerPassword);
        using var adminChange = await adminAgain.Http.PostAsJsonAsync(Api("/api/auth/password"), new { currentPassword = InProcessCamera.OwnerPassword, newPassword = "silver canyon thistle 08" });
        var (viewerLogin, viewerClient) = await camera.TrySignInAsync("viewer1", "copper kettle morning 62");
        viewerClient?.Dispose();

        Assert.Equal(HttpStatusCode.BadRequest, statuses[0]);
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
        Assert.Contains("reauthentication-locked", last, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.TooManyRequests, rightButLocked.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, adminChange.StatusCode);
        Assert.Equal(HttpStatusCode.OK, viewerLogin.StatusCode);

        var events = camera.App.Services.GetRequiredService<SecurityEventLog>().Read(0, 500);
        Assert.Equal(13, events.Count(e => e.Kind == SecurityEventKinds.ReauthenticationFailed && e.Account == "viewer1"));
        Assert.Contains(events, e => e.Kind == SecurityEventKinds.Lockout && e.Account == "viewer1");
        Assert.DoesNotContain(events, e => e.Kind == SecurityEventKinds.Lockout && e.Account == "admin");
        Assert.Contains(camera.App.Services.GetRequiredService<AlertCenter>().Inbox(true, 50),
            a => a.Kind == AlertKinds.Lockout && a.Account == "viewer1" && a.Serial == serial);
    }

    [Fact]
    public async Task WrongPasswordsOnFactoryReset_AreThrottledLoggedAndShareTheCountWithPasswordChange()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var restart = new RecordingRestart();
        await using var camera = await InProcessCamera.StartAsync(time: time, configure: b => b.Services.AddSingleton<IRestartRequester>(restart));
        using var admin = await camera.ClaimAsync();

        // Each try waits out the previous delay, so all ten are checked, until the tenth locks.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            time.Advance(TimeSpan.FromSeconds(70));
            using var change = await admin.Http.PostAsJsonAsync(Api("/api/auth/password"), new { currentPassword = "wrong " + i, newPassword = "amber willow quartz 83" });
            statuses.Add(change.StatusCode);
        }

        for (var i = 0; i < 5; i++)
        {
            time.Advance(TimeSpan.FromSeconds(70));
            using var reset = await admin.Http.PostAsJsonAsync(Api("/api/device/factory-reset"), new { password = "wrong again " + i });
            statuses.Add(reset.StatusCode);
        }

        using var rightButLocked = await admin.Http.PostAsJsonAsync(Api("/api/device/factory-reset"), new { password = InProcessCamera.OwnerPassword });
        var lockedFor = rightButLocked.Headers.RetryAfter?.Delta;
        var restartedWhileLocked = restart.Requested;
        // Past the lockout, keeping the session from idling out on the way.
        time.Advance(TimeSpan.FromMinutes(8));
        (await admin.Http.GetAsync(Api("/api/auth/session"))).Dispose();
        time.Advance(TimeSpan.FromMinutes(8));
        using var afterLockout = await admin.Http.PostAsJsonAsync(Api("/api/device/factory-reset"), new { password = InProcessCamera.OwnerPassword });

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.BadRequest, 5).Concat(Enumerable.Repeat(HttpStatusCode.Forbidden, 5)), statuses);
        Assert.Equal(HttpStatusCode.TooManyRequests, rightButLocked.StatusCode);
        Assert.False(restartedWhileLocked);
        Assert.InRange(lockedFor!.Value, TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(15));
        Assert.Equal(HttpStatusCode.Accepted, afterLockout.StatusCode);
        Assert.True(restart.Requested);

        var events = camera.App.Services.GetRequiredService<SecurityEventLog>().Read(0, 500);
        var failures = events.Where(e => e.Kind == SecurityEventKinds.ReauthenticationFailed).ToList();
        Assert.Equal(11, failures.Count);
        Assert.Contains(failures, e => e.Detail!.StartsWith("factory reset", StringComparison.Ordinal));
        Assert.Contains(failures, e => e.Detail!.StartsWith("password change", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Kind == SecurityEventKinds.Lockout && e.Account == "admin");
        Assert.Contains(camera.App.Services.GetRequiredService<AlertCenter>().Inbox(true, 50), a => a.Kind == AlertKinds.Lockout);
    }

    private static async Task CreateViewerAsync(SignedInClient admin, string username, string password)
    {
        using var create = await admin.Http.PostAsJsonAsync(Api("/api/users"), new { username, role = "viewer", password });
        create.EnsureSuccessStatusCode();
    }

    private sealed class RecordingRestart : IRestartRequester
    {
        public bool Requested { get; private set; }

        public void RequestRestart() => Requested = true;
    }
}
