using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Iris.Camera.Events;
using Iris.Camera.Link;
using Iris.Camera.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Link;

/// <summary>
/// IoT-1005-1 5.6.1.1 and 5.8.1.1: alerts raised while the platform cannot be reached wait in the persistent
/// outbox and all arrive, once each after de-duplication by id and in order, when it can again: across a real
/// 60-second broker outage, across a SIGKILL of the daemon, and through a proxy that drops, black-holes and slows
/// the traffic.
/// </summary>
public sealed class LinkOutageTests
{
    private const string OutageKind = "outage-test";

    [Fact]
    public async Task BrokerStoppedFor60Seconds_While100AlertsAreRaised_AllArriveOnceAndInOrder()
    {
        await using var setup = await LinkedCamera.StartAsync(persistentPlatform: true);
        var topic = $"iris/{setup.Serial}/alerts";
        await setup.Platform.WaitUntilAsync(p => p.Received.Any(m => m.Payload == "online"), TimeSpan.FromSeconds(20), "online");
        var alerts = setup.Camera.App.Services.GetRequiredService<AlertCenter>();
        var link = setup.Camera.App.Services.GetRequiredService<LinkService>();

        await setup.Broker.StopAsync();
        var outage = Task.Delay(TimeSpan.FromSeconds(60));
        var raised = new List<long>();
        for (var i = 0; i < 100; i++)
        {
            raised.Add(alerts.Raise(OutageKind, null, null, string.Create(CultureInfo.InvariantCulture, $"outage alert {i}")).Id);
            await Task.Delay(TimeSpan.FromMilliseconds(400));
        }

        await outage;
        // The link alternates between a connection attempt and its wait; the wait is what carries the reason.
        var during = await WaitForStateAsync(link, LinkState.Retrying);
        Assert.Equal(LinkState.Retrying, during.Mqtt.State);
        Assert.False(string.IsNullOrEmpty(during.Mqtt.Reason));
        Assert.Equal(100, during.Mqtt.Queued);

        await setup.Broker.StartAsync();
        await setup.Platform.ReconnectAsync();

        await setup.Platform.WaitUntilAsync(p => UniqueOfKind(p.Alerts(topic)).Count == 100, TimeSpan.FromSeconds(60), "all 100 alerts");
        var delivered = UniqueOfKind(setup.Platform.Alerts(topic));
        Assert.Equal(raised, delivered.Select(a => a.GetProperty("referenceId").GetInt64()));
        await WaitForEmptyQueueAsync(link);
    }

    [Fact]
    public async Task DaemonKilledWithAlertsWaiting_DeliversThemAfterRestart_OnceAndInOrder()
    {
        await using var broker = MosquittoBroker.Create();
        using var data = new TempDirectory();
        var environment = broker.CameraSettings().ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!);
        List<long> raised = [];
        using (var camera = await CameraProcess.StartAsync(data.Path, environment: environment))
        {
            broker.TrustClient(camera.Certificate);
            using var owner = await CameraSessions.ClaimAsync(camera.BaseAddress, camera.Certificate, camera.DefaultPassword!, InProcessCamera.OwnerPassword);
            for (var i = 0; i < 20; i++)
            {
                using var response = await owner.Http.PostAsync(new Uri("/api/link/test-alert", UriKind.Relative), null);
                Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
                raised.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("alertId").GetInt64());
            }

            // A power cut of the process: no shutdown code runs, the outbox is whatever reached the disk.
            camera.Process.Kill();
        }

        await broker.StartAsync();
        using var platformCertificate = broker.IssueClient(MosquittoBroker.PlatformUser);
        await using var platform = await MqttTestClient.ConnectAsync(broker, platformCertificate, "platform-kill");
        await platform.SubscribeAsync("iris/#");

        using var restarted = await CameraProcess.StartAsync(data.Path, environment: environment);
        var serial = Iris.Camera.Identity.DeviceCertificate.SerialOf(restarted.Certificate)!;
        await platform.WaitUntilAsync(p => UniqueOfKind(p.Alerts($"iris/{serial}/alerts"), LinkService.TestAlertKind).Count == 20, TimeSpan.FromSeconds(60), "the 20 alerts raised before the kill");

        var delivered = UniqueOfKind(platform.Alerts($"iris/{serial}/alerts"), LinkService.TestAlertKind);
        Assert.Equal(raised, delivered.Select(a => a.GetProperty("referenceId").GetInt64()));
        Assert.All(delivered, a => Assert.Equal(serial, a.GetProperty("serial").GetString()));
    }

    [Fact]
    public async Task ThroughAFaultyNetwork_TheLinkNoticesRecoversAndDeliversEverything()
    {
        FaultProxy? proxy = null;
        await using var setup = await LinkedCamera.StartAsync(route: broker => (proxy = new FaultProxy(broker.Port)).Port);
        await using var _ = proxy!;
        var topic = $"iris/{setup.Serial}/alerts";
        var alerts = setup.Camera.App.Services.GetRequiredService<AlertCenter>();
        var link = setup.Camera.App.Services.GetRequiredService<LinkService>();
        await WaitForStateAsync(link, LinkState.Connected);
        var raised = new List<long>();

        foreach (var fault in new[] { FaultMode.BlackHole, FaultMode.Drop, FaultMode.Slow })
        {
            proxy!.Mode = fault;
            for (var i = 0; i < 5; i++)
            {
                raised.Add(alerts.Raise(OutageKind, null, null, $"{fault} {i}").Id);
            }

            if (fault != FaultMode.Slow)
            {
                // Nothing can pass: the link must notice by itself (keep-alive, acknowledgement timeout).
                await WaitForStateAsync(link, LinkState.Retrying);
                Assert.Equal(5, link.Status().Mqtt.Queued);
            }

            proxy.Mode = FaultMode.Pass;
            await setup.Platform.WaitUntilAsync(p => UniqueOfKind(p.Alerts(topic)).Count == raised.Count, TimeSpan.FromSeconds(40), $"recovery after {fault}");
        }

        Assert.Equal(raised, UniqueOfKind(setup.Platform.Alerts(topic)).Select(a => a.GetProperty("referenceId").GetInt64()));
    }

    /// <summary>The receiver's de-duplication: first message per id, in arrival order.</summary>
    internal static List<JsonElement> UniqueOfKind(IEnumerable<JsonElement> messages, string kind = OutageKind)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return [.. messages.Where(m => m.GetProperty("kind").GetString() == kind && seen.Add(m.GetProperty("id").GetString()!))];
    }

    /// <summary>Waits for the state and returns the status seen in it (a later read may already be in the next state).</summary>
    internal static async Task<LinkStatusView> WaitForStateAsync(LinkService link, LinkState state)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var status = link.Status();
            if (status.Mqtt.State == state)
            {
                return status;
            }

            Assert.False(cancel.IsCancellationRequested, $"link never reached {state}: {status}");
            await Task.Delay(50, CancellationToken.None);
        }
    }

    internal static async Task WaitForEmptyQueueAsync(LinkService link)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (link.Status().Mqtt.Queued != 0)
        {
            Assert.False(cancel.IsCancellationRequested, $"outbox never drained: {link.Status()}");
            await Task.Delay(50, CancellationToken.None);
        }
    }
}
