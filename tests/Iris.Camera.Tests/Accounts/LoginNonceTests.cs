using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Iris.Camera.Accounts;
using Iris.Camera.Events;
using Iris.Camera.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Iris.Camera.Tests.Accounts;

/// <summary>
/// IoT-1005-1 5.1.1.3 (replay-proof login) without a drainable pool (issue 11, point 1): nonces are bound to the
/// source, MAC-protected and limited per source, so a flood from some addresses never stops sign-ins from others.
/// </summary>
public sealed class LoginNonceTests
{
    [Fact]
    public async Task NonceFlood_FromManyAddresses_LeavesTheOwnerAndANewDeviceSigningIn_AndIsLoggedInFewRecords()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        // A small table of unfamiliar sources, so the flood overflows it and eviction is exercised.
        await using var camera = await InProcessCamera.StartAsync(time: time, configure: b => b.Configuration.AddInMemoryCollection(
            new Dictionary<string, string?> { ["Iris:Accounts:LoginNonceSources"] = "16" }));
        (await camera.ClaimAsync()).Dispose();
        using var owner = LoopbackSource.At(camera, "127.0.0.1");
        var (ownerNonce, _) = await owner.NonceAsync();

        var granted = 0;
        var refused = 0;
        var retryAfterMissing = 0;
        for (var s = 1; s <= 40; s++)
        {
            using var attacker = LoopbackSource.At(camera, $"127.0.4.{s}");
            for (var i = 0; i < 15; i++)
            {
                var (nonce, response) = await attacker.NonceAsync();
                if (nonce is not null)
                {
                    granted++;
                    continue;
                }

                using (response)
                {
                    Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
                    refused++;
                    retryAfterMissing += response.Headers.RetryAfter is null ? 1 : 0;
                }
            }
        }

        // The owner's nonce from before the flood still works (known sources are never evicted), and so does a
        // first sign-in from an address never seen.
        using var ownerLogin = await owner.LoginAsync("admin", InProcessCamera.OwnerPassword, ownerNonce!);
        using var newDevice = LoopbackSource.At(camera, "127.0.0.77");
        var newDeviceStatus = await newDevice.SignInAsync("admin", InProcessCamera.OwnerPassword);

        Assert.Equal(40 * 10, granted); // Each address gets its own burst, no more.
        Assert.Equal(40 * 5, refused);
        Assert.Equal(0, retryAfterMissing);
        Assert.Equal(HttpStatusCode.OK, ownerLogin.StatusCode);
        Assert.Equal(HttpStatusCode.OK, newDeviceStatus);

        // Every refusal is counted, in one record per minute, not one per request.
        var log = camera.App.Services.GetRequiredService<SecurityEventLog>();
        var whileFlooding = log.Read(0, 1000).Count(e => e.Kind == SecurityEventKinds.LoginRefused);
        time.Advance(LoginRefusals.Interval + TimeSpan.FromSeconds(1));
        camera.App.Services.GetRequiredService<LoginRefusals>().Flush();
        var records = log.Read(0, 1000).Where(e => e.Kind == SecurityEventKinds.LoginRefused).ToList();
        Assert.Equal(1, whileFlooding);
        Assert.InRange(records.Count, 1, 2);
        Assert.Equal(refused, records.Sum(e => int.Parse(e.Detail!.Split(' ')[0], CultureInfo.InvariantCulture)));
        Assert.All(records, e => Assert.Contains("nonce request", e.Detail, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Nonce_IsBoundToTheAddressItWasIssuedTo()
    {
        await using var camera = await InProcessCamera.StartAsync();
        using var issuedTo = LoopbackSource.At(camera, "127.0.0.2");
        using var other = LoopbackSource.At(camera, "127.0.0.3");
        var (nonce, _) = await issuedTo.NonceAsync();

        using var elsewhere = await other.LoginAsync("admin", camera.DefaultPassword!, nonce!);
        using var there = await issuedTo.LoginAsync("admin", camera.DefaultPassword!, nonce!);

        Assert.Equal(HttpStatusCode.BadRequest, elsewhere.StatusCode);
        Assert.Contains("nonce-rejected", await elsewhere.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, there.StatusCode);
    }

    [Fact]
    public async Task TamperedNonce_IsRefused_EvenWithALaterExpiry()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var camera = await InProcessCamera.StartAsync(time: time);
        var nonce = await camera.NewNonceAsync();
        time.Advance(TimeSpan.FromMinutes(3));
        // Bytes 24..31 hold the expiry: move it an hour on, as a forger would.
        var expiry = long.Parse(nonce[48..64], NumberStyles.HexNumber, CultureInfo.InvariantCulture) + 3_600_000;
        var forged = nonce[..48] + expiry.ToString("x16", CultureInfo.InvariantCulture) + nonce[64..];
        var flipped = nonce[..^1] + (nonce[^1] == '0' ? '1' : '0');

        using var withLaterExpiry = await PostLoginAsync(camera, forged);
        using var withFlippedMac = await PostLoginAsync(camera, flipped);

        Assert.Equal(HttpStatusCode.BadRequest, withLaterExpiry.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, withFlippedMac.StatusCode);
    }

    [Fact]
    public async Task NonceFromBeforeARestart_IsRefused()
    {
        using var data = new TempDirectory();
        string nonce, defaultPassword;
        await using (var camera = await InProcessCamera.StartAsync(data.Path))
        {
            nonce = await camera.NewNonceAsync();
            defaultPassword = camera.DefaultPassword!;
        }

        await using var restarted = await InProcessCamera.StartAsync(data.Path);
        using var response = await restarted.Client.PostAsJsonAsync(new Uri("/api/auth/login", UriKind.Relative), new { username = "admin", password = defaultPassword, nonce });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task ReplayCache_StaysBoundedUnderManySources_AndEvictionNeverAllowsAReplay()
    {
        await using var camera = await InProcessCamera.StartAsync(configure: b => b.Configuration.AddInMemoryCollection(
            new Dictionary<string, string?> { ["Iris:Accounts:LoginNonceSources"] = "16" }));
        var nonces = camera.App.Services.GetRequiredService<LoginNonces>();
        camera.App.Services.GetRequiredService<KnownSources>().Remember("admin", "198.51.100.7");
        var ownerNonce = nonces.Issue("198.51.100.7").Issued!.Nonce;

        var issued = Enumerable.Range(1, 200).Select(i => ($"203.0.113.{i}", nonces.Issue($"203.0.113.{i}").Issued!.Nonce)).ToList();
        var results = issued.Select(n => nonces.Consume(n.Item2, n.Item1)).ToList();
        var replays = issued.Where((_, i) => results[i] == NonceCheck.Accepted).Select(n => nonces.Consume(n.Item2, n.Item1)).ToList();

        // At most the table's worth of unfamiliar sources still hold usable nonces; the newest always does.
        Assert.InRange(results.Count(r => r == NonceCheck.Accepted), 1, 16);
        Assert.Equal(NonceCheck.Accepted, results[^1]);
        Assert.All(results, r => Assert.True(r is NonceCheck.Accepted or NonceCheck.Invalid));
        Assert.All(replays, r => Assert.Equal(NonceCheck.Replayed, r));
        Assert.Equal(NonceCheck.Accepted, nonces.Consume(ownerNonce, "198.51.100.7"));
        Assert.Equal(NonceCheck.Replayed, nonces.Consume(ownerNonce, "198.51.100.7"));
    }

    private static Task<HttpResponseMessage> PostLoginAsync(InProcessCamera camera, string nonce) =>
        camera.Client.PostAsJsonAsync(new Uri("/api/auth/login", UriKind.Relative), new { username = "admin", password = camera.DefaultPassword, nonce });
}
