using System.Globalization;
using System.Net.Http.Json;
using Iris.Camera.Accounts;
using Iris.Camera.Storage;
using Iris.Camera.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Accounts;

/// <summary>What goes with a user, and with an expired session (issue 12): nothing keyed to them stays behind.</summary>
public sealed class AccountErasureTests
{
    private const string Visitor = "visitor-ben";
    private const string VisitorPassword = "copper willow tide 8821";

    [Fact]
    public async Task DeletingAUser_RemovesTheirSessionsAndKnownSignInSources()
    {
        await using var camera = await InProcessCamera.StartAsync();
        using var owner = await camera.ClaimAsync();
        using (var create = await owner.Http.PostAsJsonAsync(new Uri("/api/users", UriKind.Relative), new { username = Visitor, role = "viewer", password = VisitorPassword }))
        {
            create.EnsureSuccessStatusCode();
        }

        using (await camera.SignInAsync(Visitor, VisitorPassword))
        {
        }

        Assert.Equal(1, Count(camera, "SELECT count(*) FROM known_sources WHERE account = $u;"));
        Assert.Equal(1, Count(camera, "SELECT count(*) FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE a.username = $u;"));

        using (var delete = await owner.Http.DeleteAsync(new Uri($"/api/users/{Visitor}", UriKind.Relative)))
        {
            delete.EnsureSuccessStatusCode();
        }

        Assert.Equal(0, Count(camera, "SELECT count(*) FROM known_sources WHERE account = $u;"));
        Assert.Equal(0, Count(camera, "SELECT count(*) FROM accounts WHERE username = $u;"));
        Assert.Equal(1, Count(camera, "SELECT count(*) FROM known_sources WHERE account = $u;", "admin"));
    }

    [Fact]
    public async Task ExpiredSessions_ArePurgedOnSchedule_WithTheirSourceAddresses()
    {
        var time = new TimerAwareTimeProvider(DateTimeOffset.UtcNow);
        await using var camera = await InProcessCamera.StartAsync(time: time);
        using (await camera.SignInAsync("admin", camera.DefaultPassword!))
        {
        }

        Assert.True(Count(camera, "SELECT count(*) FROM sessions;") > 0);

        // Nobody presents the token again: only the schedule can remove it, once it is idle past 15 minutes.
        await time.AdvanceWhenSetAsync(SessionPurge.Interval, TimeSpan.FromSeconds(30));
        Assert.True(Count(camera, "SELECT count(*) FROM sessions;") > 0);
        for (var i = 0; i < 3; i++)
        {
            time.Advance(SessionPurge.Interval);
        }

        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (Count(camera, "SELECT count(*) FROM sessions;") > 0)
        {
            await Task.Delay(20, cancel.Token);
        }
    }

    /// <summary>A count where $u is the name's blind index (how the accounts tables name an account since schema 9).</summary>
    private static long Count(InProcessCamera camera, string sql, string username = Visitor)
    {
        using var connection = camera.App.Services.GetRequiredService<CameraDatabase>().OpenConnection();
        var index = camera.App.Services.GetRequiredService<AccountCipher>().UsernameIndex(username);
        return Convert.ToInt64(DbRows.Scalar(connection, sql, ("$u", index)), CultureInfo.InvariantCulture);
    }
}
