using System.Net;
using System.Net.Http.Json;
using System.Text;
using Iris.Camera.Platform;
using Iris.Camera.Reset;
using Iris.Camera.Tests.Support;
using Iris.Camera.Updates;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Iris.Camera.Tests.Reset;

/// <summary>
/// Factory reset by crypto-erase (IoT-1005-1 5.7.1.1): after it the previous owner's password, sessions, users,
/// recordings and settings are gone and unrecoverable, the factory default password works again and must be
/// changed, and the serial is unchanged. Started by an administrator or by holding the reset button.
/// </summary>
public sealed class FactoryResetTests
{
    [Fact]
    public async Task Reset_ErasesTheOwner_KeepsTheDevice_AndTheDefaultPasswordWorksAgain()
    {
        using var dir = new TempDirectory();
        var restart = new RecordingRestart();
        string serial, defaultPassword, oldSession;
        byte[] oldStorageKey;
        await using (var camera = await InProcessCamera.StartAsync(dir.Path, b =>
        {
            Iris.Camera.Tests.Media.RecordingTests.OneSecondSegments(b);
            b.Services.AddSingleton<IRestartRequester>(restart);
        }))
        {
            serial = camera.App.Services.GetRequiredService<Iris.Camera.Identity.DeviceIdentity>().Serial;
            defaultPassword = camera.DefaultPassword!;
            using var owner = await camera.ClaimAsync();
            oldSession = owner.CookieHeader;
            await SeedAsync(camera, owner);
            oldStorageKey = await File.ReadAllBytesAsync(Path.Combine(dir.Path, "keys", "storage.key"));

            using (var wrong = await owner.Http.PostAsJsonAsync(new Uri("/api/device/factory-reset", UriKind.Relative), new { password = "not my password at all" }))
            {
                Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
            }

            Assert.False(FactoryReset.IsPending(Iris.Camera.Storage.DataDirectory.Open(dir.Path)));
            using var reset = await owner.Http.PostAsJsonAsync(new Uri("/api/device/factory-reset", UriKind.Relative), new { password = InProcessCamera.OwnerPassword });
            Assert.Equal(HttpStatusCode.Accepted, reset.StatusCode);
            Assert.True(restart.Requested);
        }

        // The restart carries the reset out before anything opens the data.
        await using var fresh = await InProcessCamera.StartAsync(dir.Path);
        Assert.Equal(serial, fresh.App.Services.GetRequiredService<Iris.Camera.Identity.DeviceIdentity>().Serial);
        Assert.False(FactoryReset.IsPending(Iris.Camera.Storage.DataDirectory.Open(dir.Path)));
        var newStorageKey = await File.ReadAllBytesAsync(Path.Combine(dir.Path, "keys", "storage.key"));
        Assert.NotEqual(oldStorageKey, newStorageKey);
        var (oldLogin, _) = await fresh.TrySignInAsync("admin", InProcessCamera.OwnerPassword);
        Assert.Equal(HttpStatusCode.Unauthorized, oldLogin.StatusCode);
        using (var stale = PinnedHttpClient.Create(fresh.BaseAddress, fresh.Certificate))
        {
            stale.DefaultRequestHeaders.Add("Cookie", oldSession);
            using var response = await stale.GetAsync(new Uri("/api/auth/session", UriKind.Relative));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using (var restricted = await fresh.SignInAsync("admin", defaultPassword))
        {
            var session = await restricted.Http.GetFromJsonAsync<System.Text.Json.JsonElement>(new Uri("/api/auth/session", UriKind.Relative));
            Assert.True(session.GetProperty("mustChangePassword").GetBoolean());
            using var users = await restricted.Http.GetAsync(new Uri("/api/users", UriKind.Relative));
            Assert.Equal(HttpStatusCode.Forbidden, users.StatusCode);
        }

        using var newOwner = await CameraSessions.ClaimAsync(fresh.BaseAddress, fresh.Certificate, defaultPassword, "quiet copper harbour 58");
        var names = await newOwner.Http.GetStringAsync(new Uri("/api/users", UriKind.Relative));
        Assert.DoesNotContain("visitor-anna", names, StringComparison.Ordinal);
        Assert.Empty(await newOwner.Http.GetFromJsonAsync<List<object>>(new Uri("/api/recordings", UriKind.Relative)) ?? []);
        var privacy = await newOwner.Http.GetFromJsonAsync<System.Text.Json.JsonElement>(new Uri("/api/media/privacy", UriKind.Relative));
        Assert.False(privacy.GetProperty("enabled").GetBoolean());
        Assert.False(File.Exists(Path.Combine(dir.Path, "vault", "recordings-key.sealed")));
        Assert.Empty(Directory.GetFiles(Path.Combine(dir.Path, "recordings")));
        var raw = string.Concat(Directory.EnumerateFiles(dir.Path, "*", SearchOption.AllDirectories).Select(f => Encoding.Latin1.GetString(File.ReadAllBytes(f))));
        Assert.DoesNotContain("visitor-anna", raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reset_WritesTheDefaultPasswordFileAgain_WhenNoTerminalShowsIt()
    {
        using var dir = new TempDirectory();
        var terminal = new Iris.Camera.Tests.Accounts.DefaultPasswordFileTests.FakeTerminal(interactive: false);
        var file = Path.Combine(dir.Path, "default-password");
        string defaultPassword;
        await using (var camera = await InProcessCamera.StartAsync(dir.Path, b =>
        {
            Iris.Camera.Tests.Accounts.DefaultPasswordFileTests.UseRealDisplay(b, terminal);
            b.Services.AddSingleton<IRestartRequester>(new RecordingRestart());
        }))
        {
            defaultPassword = (await File.ReadAllTextAsync(file)).Trim();
            using var owner = await CameraSessions.ClaimAsync(camera.BaseAddress, camera.Certificate, defaultPassword, InProcessCamera.OwnerPassword);
            Assert.False(File.Exists(file));
            using var reset = await owner.Http.PostAsJsonAsync(new Uri("/api/device/factory-reset", UriKind.Relative), new { password = InProcessCamera.OwnerPassword });
            Assert.Equal(HttpStatusCode.Accepted, reset.StatusCode);
        }

        await using var fresh = await InProcessCamera.StartAsync(dir.Path, b => Iris.Camera.Tests.Accounts.DefaultPasswordFileTests.UseRealDisplay(b, terminal));

        Assert.Equal(defaultPassword, (await File.ReadAllTextAsync(file)).Trim());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        using var restricted = await fresh.SignInAsync("admin", defaultPassword);
    }

    [Fact]
    public async Task HoldingTheResetButton_StartsAReset_AndAShortPressDoesNot()
    {
        using var dir = new TempDirectory();
        var line = dir.Combine("reset-button-value");
        await File.WriteAllTextAsync(line, "0");
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var restart = new RecordingRestart();
        await using var camera = await InProcessCamera.StartAsync(dir.Combine("data"), b =>
        {
            b.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Iris:Reset:ButtonValueFile"] = line });
            b.Services.AddSingleton<IRestartRequester>(restart);
        }, time);
        var data = Iris.Camera.Storage.DataDirectory.Open(dir.Combine("data"));

        await File.WriteAllTextAsync(line, "1");
        await HoldAsync(time, TimeSpan.FromSeconds(5));
        await File.WriteAllTextAsync(line, "0");
        await HoldAsync(time, TimeSpan.FromSeconds(1));
        Assert.False(restart.Requested);

        await File.WriteAllTextAsync(line, "1");
        for (var i = 0; i < 200 && !restart.Requested; i++)
        {
            await HoldAsync(time, TimeSpan.FromSeconds(1));
        }

        Assert.True(restart.Requested);
        Assert.True(FactoryReset.IsPending(data));
    }

    /// <summary>Moves the clock in poll-sized steps, letting the watcher read the line at each.</summary>
    private static async Task HoldAsync(FakeTimeProvider time, TimeSpan span)
    {
        for (var elapsed = TimeSpan.Zero; elapsed < span; elapsed += TimeSpan.FromMilliseconds(100))
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(2);
        }
    }

    private static async Task SeedAsync(InProcessCamera camera, SignedInClient owner)
    {
        using (var create = await owner.Http.PostAsJsonAsync(new Uri("/api/users", UriKind.Relative), new { username = "visitor-anna", role = "viewer", password = "amber meadow river 2931" }))
        {
            create.EnsureSuccessStatusCode();
        }

        var completed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        camera.App.Services.GetRequiredService<Iris.Camera.Media.Recorder>().SegmentCompleted += _ => completed.TrySetResult();
        using (var on = await owner.Http.PutAsJsonAsync(new Uri("/api/recordings/settings", UriKind.Relative), new { mode = "continuous" }))
        {
            on.EnsureSuccessStatusCode();
        }

        await completed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        using (var privacy = await owner.Http.PutAsJsonAsync(new Uri("/api/media/privacy", UriKind.Relative), new { enabled = true }))
        {
            privacy.EnsureSuccessStatusCode();
        }
    }

    private sealed class RecordingRestart : IRestartRequester
    {
        public bool Requested { get; private set; }

        public void RequestRestart() => Requested = true;
    }
}
