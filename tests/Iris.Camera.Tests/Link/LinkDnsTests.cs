using System.Globalization;
using System.Net;
using Iris.Camera.Events;
using Iris.Camera.Link;
using Iris.Camera.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Link;

/// <summary>
/// Issue 15, Deliver 6 (5.6.1.1), DNS failure with the real resolver: the broker's host name does not resolve,
/// then starts to (the test adds it to /etc/hosts, which the C library reads on every lookup, and removes it
/// afterwards). Meanwhile the status says why and local functions keep working; once the name resolves the link
/// recovers by itself within the bounded back-off and the outbox drains in order. Needs root (it writes
/// /etc/hosts); without it the test fails and says so.
/// </summary>
public sealed class LinkDnsTests
{
    [Fact]
    public async Task BrokerNameThatDoesNotResolve_ThenDoes_LinkRecoversWithinTheBackOff_AndTheOutboxDrains()
    {
        var name = $"iris-broker-{Guid.NewGuid():N}"[..24] + ".test";
        Assert.Empty(Hosts.Lines(name));
        await using var setup = await LinkedCamera.StartAsync(
            // The broker's certificate must name the host the camera asks for.
            route: broker => { broker.NameServer(name); return broker.Port; },
            extra: new Dictionary<string, string?> { ["Iris:Cloud:BrokerHost"] = name });
        var link = setup.Camera.App.Services.GetRequiredService<LinkService>();
        var options = setup.Camera.App.Services.GetRequiredService<CloudOptions>();
        using var owner = await setup.Camera.ClaimAsync();
        await LinkBrokerTests.WaitForStateAsync(owner, "retrying");
        Assert.Equal("broker name could not be resolved (DNS)", link.Status().Mqtt.Reason);

        var alerts = setup.Camera.App.Services.GetRequiredService<AlertCenter>();
        var raised = Enumerable.Range(0, 20).Select(i => alerts.Raise("dns-test", null, null, string.Create(CultureInfo.InvariantCulture, $"dns alert {i}")).Id).ToList();
        // Local functions do not wait for the network: the live picture and the camera's own pages answer.
        using (var snapshot = await owner.Http.GetAsync(new Uri("/api/media/snapshot", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, snapshot.StatusCode);
            Assert.Equal("image/jpeg", snapshot.Content.Headers.ContentType?.MediaType);
        }

        Assert.Equal(20, link.Status().Mqtt.Queued);

        try
        {
            Hosts.Add(name);
            var resolvedAt = TimeProvider.System.GetTimestamp();
            await LinkBrokerTests.WaitForStateAsync(owner, "connected");
            var recovery = TimeProvider.System.GetElapsedTime(resolvedAt);
            // One back-off step (at most MaximumRetryDelay) plus one connection attempt (at most OperationTimeout), and slack for a loaded machine.
            var bound = options.MaximumRetryDelay + options.OperationTimeout + TimeSpan.FromSeconds(10);
            Assert.True(recovery < bound, $"recovered after {recovery.TotalSeconds:F1} s, bound {bound.TotalSeconds:F0} s");
        }
        finally
        {
            Hosts.Remove(name);
        }

        var topic = $"iris/{setup.Serial}/alerts";
        await setup.Platform.WaitUntilAsync(p => p.Alerts(topic).Count(a => a.GetProperty("kind").GetString() == "dns-test") >= 20, TimeSpan.FromSeconds(30), "the 20 waiting alerts");
        var delivered = setup.Platform.Alerts(topic).Where(a => a.GetProperty("kind").GetString() == "dns-test")
            .DistinctBy(a => a.GetProperty("id").GetString()).Select(a => a.GetProperty("referenceId").GetInt64());
        Assert.Equal(raised, delivered);
        Assert.Equal(0, link.Status().Mqtt.Queued);
    }

    /// <summary>The system's hosts file, changed in place (in a container it is often a bind mount that cannot be replaced by a rename).</summary>
    private static class Hosts
    {
        private const string Path = "/etc/hosts";

        public static string[] Lines(string name) => [.. File.ReadAllLines(Path).Where(l => l.EndsWith(" " + name, StringComparison.Ordinal))];

        public static void Add(string name)
        {
            try
            {
                File.AppendAllText(Path, $"127.0.0.1 {name}\n");
            }
            catch (UnauthorizedAccessException e)
            {
                Assert.Fail($"this test makes a host name resolve by adding it to {Path}, which needs root: {e.Message}");
            }
        }

        public static void Remove(string name) =>
            File.WriteAllLines(Path, File.ReadAllLines(Path).Where(l => !l.EndsWith(" " + name, StringComparison.Ordinal)));
    }
}
