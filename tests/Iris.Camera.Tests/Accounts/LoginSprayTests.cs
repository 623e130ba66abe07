using System.Diagnostics;
using System.Net;
using Iris.Camera.Accounts;
using Iris.Camera.Events;
using Iris.Camera.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Iris.Camera.Tests.Accounts;

/// <summary>
/// IoT-1005-1 5.1.2.2 under a password spray (issue 11, point 3): unfamiliar sources share the hash fairly per
/// source, so a correct login from an address never seen gets through in bounded time while dozens of
/// addresses spray random usernames; "busy" answers are counted by the throttle and logged in few records.
/// </summary>
public sealed class LoginSprayTests
{
    private const int SprayAddresses = 47;
    private const int Queue = 8;

    [Fact]
    public async Task SprayFromManyAddresses_DoesNotStarveACorrectLoginFromANewAddress()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var camera = await InProcessCamera.StartAsync(time: time, configure: b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            // A hash long enough that the spray keeps the device busy, as the real cost does.
            ["Iris:Accounts:PasswordIterations"] = "60000",
            ["Iris:Accounts:UnfamiliarSourceQueue"] = Queue.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Iris:Accounts:LoginNonceBurst"] = "100",
            ["Iris:Accounts:UnfamiliarSourceMaxWait"] = "00:01:00",
            // Each spraying address stands for many: the throttle (tested elsewhere) would otherwise lock these 47
            // within seconds and end the spray before it could starve anyone.
            ["Iris:Accounts:ThrottleFreeAttempts"] = "10",
            ["Iris:Accounts:LockoutAttempts"] = "100",
            ["Iris:Accounts:ThrottleBaseDelay"] = "00:00:00.1",
            ["Iris:Accounts:ThrottleMaxDelay"] = "00:00:00.1",
            ["Iris:Accounts:LockoutDuration"] = "00:00:01",
        }));
        (await camera.ClaimAsync()).Dispose();
        var hasher = camera.App.Services.GetRequiredService<PasswordHasher>();
        var before = hasher.Computations;

        using var stop = new CancellationTokenSource();
        var answers = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();
        var sprayers = Enumerable.Range(1, SprayAddresses).Select(i => Task.Run(async () =>
        {
            using var source = LoopbackSource.At(camera, $"127.0.5.{i}");
            var n = 0;
            while (!stop.IsCancellationRequested)
            {
                answers.Add(await source.SignInAsync($"user{i}x{n}", $"guess {i} {n++}"));
            }
        })).ToList();

        // The device's clock runs fast (a second per 50 ms), so the sprayers' throttle delays pass and the spray
        // keeps going, as a long one does; a turn still comes well within the 60 s a login may wait.
        var clockRunner = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                time.Advance(TimeSpan.FromSeconds(1));
                await Task.Delay(50);
            }
        });

        // Let every sprayer have its turns first, as a spray that has been running for a while.
        var warmUp = Stopwatch.StartNew();
        while (hasher.Computations - before < SprayAddresses && warmUp.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(10);
        }

        using var newDevice = LoopbackSource.At(camera, "127.0.0.200");
        var clock = Stopwatch.StartNew();
        var status = await newDevice.SignInAsync("admin", InProcessCamera.OwnerPassword);
        var waited = clock.Elapsed;
        var hashesWhenAdmitted = hasher.Computations;
        await Task.Delay(500);
        var stillSpraying = hasher.Computations > hashesWhenAdmitted;
        await stop.CancelAsync();
        await Task.WhenAll(sprayers.Append(clockRunner));

        Assert.True(hashesWhenAdmitted - before >= SprayAddresses, $"the spray never got going: {hashesWhenAdmitted - before} hashes, answers {string.Join(", ", answers.GroupBy(a => a).Select(g => $"{g.Key}: {g.Count()}"))}");
        Assert.True(stillSpraying, "the spray had ended before the new device signed in");
        Assert.Equal(HttpStatusCode.OK, status);
        // Behind at most the queue's worth of hashes (each well under a second here), not the whole spray.
        Assert.True(waited < TimeSpan.FromSeconds(15), $"waited {waited}");
        Assert.Contains(HttpStatusCode.TooManyRequests, answers);
    }

    [Fact]
    public async Task BusyAnswers_AreLoggedInFewRecords_AndCountTowardsTheSourcesThrottle()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var camera = await InProcessCamera.StartAsync(time: time);
        var gate = camera.App.Services.GetRequiredService<UnfamiliarSourceGate>();
        var throttle = camera.App.Services.GetRequiredService<LoginThrottle>();
        using var source = LoopbackSource.At(camera, "127.0.0.9");

        // While this address already holds its one turn, each further login from it is answered "busy".
        using (var turn = await gate.EnterAsync("127.0.0.9", CancellationToken.None))
        {
            Assert.NotNull(turn);
            for (var i = 0; i < 5; i++)
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, await source.SignInAsync("admin", "some guess " + i));
            }
        }

        var decision = throttle.Check("someone-else", "127.0.0.9", knownSource: false);
        var events = camera.App.Services.GetRequiredService<SecurityEventLog>().Read(0, 100);
        var busyRecords = events.Where(e => e.Kind == SecurityEventKinds.LoginRefused).ToList();

        Assert.False(decision.Allowed); // 5 busy answers: past the 3 free attempts, into the delays.
        var record = Assert.Single(busyRecords);
        Assert.Equal("127.0.0.9", record.Source);
        Assert.Contains("busy", record.Detail, StringComparison.Ordinal);
    }
}
