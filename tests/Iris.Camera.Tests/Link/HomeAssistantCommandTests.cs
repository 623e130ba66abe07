using System.Net.Http.Json;
using System.Text.Json;
using Iris.Camera.Events;
using Iris.Camera.Link;
using Iris.Camera.Media;
using Iris.Camera.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Protocol;

namespace Iris.Camera.Tests.Link;

/// <summary>
/// Issue 15, Deliver 4, over a real mosquitto with a Home Assistant identity that may publish only on the cameras'
/// Home Assistant command topics: commands are refused while the setting is off (the default), privacy mode and a
/// snapshot work once an administrator turns it on, every other command is refused, and each refusal is a
/// security event. Discovery offers the switch and button only while the setting is on.
/// </summary>
public sealed class HomeAssistantCommandTests
{
    [Fact]
    public async Task HomeAssistantCommands_AreRefusedWhileOff_OnlyPrivacyAndSnapshotWorkWhileOn_AndEachRefusalIsLogged()
    {
        await using var setup = await LinkedCamera.StartAsync(extra: new Dictionary<string, string?> { ["Iris:Cloud:HomeAssistantDiscovery"] = "true" });
        using var owner = await setup.ClaimConnectedAsync();
        await setup.Platform.SubscribeAsync("homeassistant/#");
        await using var homeAssistant = await MqttTestClient.ConnectAsync(setup.Broker, setup.Broker.IssueClient(MosquittoBroker.HomeAssistantUser), "ha-" + Guid.NewGuid().ToString("N")[..8]);
        var privacy = setup.Camera.App.Services.GetRequiredService<PrivacyMode>();
        var log = setup.Camera.App.Services.GetRequiredService<SecurityEventLog>();
        var prefix = $"iris/{setup.Serial}/ha";

        // Off by default: refused, logged, nothing changes.
        await PublishAsync(homeAssistant, $"{prefix}/privacy/set", "ON");
        await WaitForRefusalsAsync(log, 1);
        Assert.Contains("Home Assistant commands are off", Refusals(log)[0].Detail, StringComparison.Ordinal);
        Assert.False(privacy.Enabled);

        using (var on = await owner.Http.PutAsJsonAsync(new Uri("/api/link/settings", UriKind.Relative), new { homeAssistantCommands = true }))
        {
            Assert.True(on.IsSuccessStatusCode, await on.Content.ReadAsStringAsync());
        }

        // The link reconnects with the setting: privacy mode becomes a switch, the snapshot a button.
        await setup.Platform.WaitUntilAsync(p => p.Received.Any(m => m.Topic == $"homeassistant/switch/{setup.Serial}/privacy/config" && m.Payload.Contains($"\"command_topic\":\"{prefix}/privacy/set\"", StringComparison.Ordinal)), TimeSpan.FromSeconds(30), "the privacy switch");
        await setup.Platform.WaitUntilAsync(p => p.Received.Any(m => m.Topic == $"homeassistant/button/{setup.Serial}/snapshot/config" && m.Payload.Contains("command_topic", StringComparison.Ordinal)), TimeSpan.FromSeconds(10), "the snapshot button");
        await setup.Platform.WaitUntilAsync(p => p.Received.Any(m => m.Topic == $"homeassistant/binary_sensor/{setup.Serial}/privacy/config" && m.Payload.Length == 0), TimeSpan.FromSeconds(10), "the read-only privacy sensor removed");
        await LinkBrokerTests.WaitForStateAsync(owner, "connected");

        await PublishAsync(homeAssistant, $"{prefix}/privacy/set", "ON");
        await WaitUntilAsync(() => privacy.Enabled, "privacy mode on");
        await setup.Platform.WaitUntilAsync(p => p.Received.Any(m => m.Topic == $"{prefix}/privacy" && m.Payload == "ON"), TimeSpan.FromSeconds(10), "privacy state ON");

        // Nothing is captured in privacy mode: the snapshot is refused too.
        await PublishAsync(homeAssistant, $"{prefix}/snapshot/set", "PRESS");
        await WaitForRefusalsAsync(log, 2);
        Assert.Contains("privacy mode is on", Refusals(log)[1].Detail, StringComparison.Ordinal);

        await PublishAsync(homeAssistant, $"{prefix}/privacy/set", "OFF");
        await WaitUntilAsync(() => !privacy.Enabled, "privacy mode off");
        await PublishAsync(homeAssistant, $"{prefix}/snapshot/set", "PRESS");
        await setup.Platform.WaitUntilAsync(p => p.Received.Any(m => m.Topic == $"{prefix}/snapshot" && m.Payload.Length > 100), TimeSpan.FromSeconds(20), "the snapshot picture");

        // Anything else on Home Assistant's topics is refused: another entity, another payload.
        await PublishAsync(homeAssistant, $"{prefix}/restart/set", "PRESS");
        await PublishAsync(homeAssistant, $"{prefix}/privacy/set", "TOGGLE");
        await WaitForRefusalsAsync(log, 4);
        Assert.All(Refusals(log)[2..], r => Assert.Contains("not allowed from Home Assistant", r.Detail, StringComparison.Ordinal));
        Assert.False(privacy.Enabled);
        Assert.Equal(2, log.Read(0, 10_000).Count(e => e.Kind == RemoteCommands.AcceptedKind && e.Account == HomeAssistantCommands.Source && e.Detail!.StartsWith("privacy", StringComparison.Ordinal)));

        // Off again: refused again.
        using (var off = await owner.Http.PutAsJsonAsync(new Uri("/api/link/settings", UriKind.Relative), new { homeAssistantCommands = false }))
        {
            Assert.True(off.IsSuccessStatusCode);
        }

        await LinkBrokerTests.WaitForStateAsync(owner, "connected");
        await setup.Platform.WaitUntilAsync(p => p.Received.Any(m => m.Topic == $"homeassistant/switch/{setup.Serial}/privacy/config" && m.Payload.Length == 0), TimeSpan.FromSeconds(30), "the switch removed");
        await PublishAsync(homeAssistant, $"{prefix}/privacy/set", "ON");
        await WaitForRefusalsAsync(log, 5);
        Assert.False(privacy.Enabled);
    }

    [Fact]
    public async Task PrivacyChangedOnTheCamera_ReachesHomeAssistant_WhileTheLinkStaysUp()
    {
        await using var setup = await LinkedCamera.StartAsync(extra: new Dictionary<string, string?> { ["Iris:Cloud:HomeAssistantDiscovery"] = "true" });
        using var owner = await setup.ClaimConnectedAsync();
        var topic = $"iris/{setup.Serial}/ha/privacy";
        await setup.Platform.WaitUntilAsync(p => p.Received.Any(m => m.Topic == topic && m.Payload == "OFF"), TimeSpan.FromSeconds(20), "privacy OFF at connect");

        foreach (var (enabled, expected) in new[] { (true, "ON"), (false, "OFF") })
        {
            var before = setup.Platform.Received.Count(m => m.Topic == topic);
            using (var set = await owner.Http.PutAsJsonAsync(new Uri("/api/media/privacy", UriKind.Relative), new { enabled }))
            {
                Assert.True(set.IsSuccessStatusCode);
            }

            await setup.Platform.WaitUntilAsync(p => p.Received.Where(m => m.Topic == topic).Skip(before).Any(m => m.Payload == expected), TimeSpan.FromSeconds(10), $"privacy {expected}");
        }

        Assert.Equal(1, setup.Platform.Received.Count(m => m.Topic == $"iris/{setup.Serial}/state" && m.Payload == "online"));
    }

    [Fact]
    public async Task AFloodOfRefusedCommands_WritesABoundedNumberOfRecords_WithBoundedFields()
    {
        await using var setup = await LinkedCamera.StartAsync();
        using var owner = await setup.ClaimConnectedAsync();
        var log = setup.Camera.App.Services.GetRequiredService<SecurityEventLog>();
        var longKeyId = new string('k', 5000);
        for (var i = 0; i < 3 * RefusalLog.PerMinute; i++)
        {
            var envelope = JsonSerializer.Serialize(new { payload = OwnerApp.Encode("{}"u8), keyId = longKeyId, signature = "AAAA" });
            await PublishAsync(setup.Platform, $"iris/{setup.Serial}/commands", envelope);
        }

        // Every message is still answered (signed refusals), but only the budget is written.
        await setup.Platform.WaitUntilAsync(p => p.Received.Count(m => m.Topic == $"iris/{setup.Serial}/results") >= 3 * RefusalLog.PerMinute, TimeSpan.FromSeconds(60), "every refusal answered");
        var written = log.Read(0, 10_000).Where(e => e.Kind == RemoteCommands.RefusedKind).ToList();
        Assert.Equal(RefusalLog.PerMinute, written.Count);
        Assert.All(written, e => Assert.True(e.Account!.Length <= 65, $"account of {e.Account!.Length} characters"));
    }

    private static List<SecurityEvent> Refusals(SecurityEventLog log) =>
        [.. log.Read(0, 10_000).Where(e => e.Kind == RemoteCommands.RefusedKind && e.Account == HomeAssistantCommands.Source)];

    /// <summary>Publishes at QoS 1 and checks the broker took it (its ACL may refuse).</summary>
    internal static async Task PublishAsync(MqttTestClient client, string topic, string payload)
    {
        var published = await client.Client.PublishStringAsync(topic, payload, MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.True(published.IsSuccess, $"publish to {topic}: {published.ReasonCode}");
    }

    private static Task WaitForRefusalsAsync(SecurityEventLog log, int count) => WaitUntilAsync(() => Refusals(log).Count >= count, $"{count} refusals");

    private static async Task WaitUntilAsync(Func<bool> done, string what)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!done())
        {
            Assert.False(cancel.IsCancellationRequested, $"timed out waiting for {what}");
            await Task.Delay(100, CancellationToken.None);
        }
    }
}
