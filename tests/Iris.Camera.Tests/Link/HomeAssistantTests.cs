using System.Text.Json;
using Iris.Camera.Events;
using Iris.Camera.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Link;

/// <summary>
/// Home Assistant MQTT discovery over a real mosquitto: each config the camera publishes carries what Home
/// Assistant's schema for that entity type requires (home-assistant/core, components/mqtt: binary_sensor and
/// event use MQTT_RO_SCHEMA, which requires state_topic; event also requires event_types; image requires
/// image_topic or url_topic; switch requires command_topic; a device needs identifiers or connections and the
/// entity a unique_id; availability_topic and availability exclude each other). Read-only: no command topic.
/// </summary>
public sealed class HomeAssistantTests
{
    private static readonly Dictionary<string, string[]> RequiredKeys = new()
    {
        ["binary_sensor"] = ["state_topic"],
        ["event"] = ["state_topic", "event_types"],
        ["image"] = [],
        ["update"] = [],
        ["switch"] = ["command_topic"],
    };

    [Fact]
    public async Task DiscoveryConfigs_CarryTheKeysHomeAssistantRequires_AndAlertsBecomeEvents()
    {
        await using var setup = await LinkedCamera.StartAsync(extra: new Dictionary<string, string?> { ["Iris:Cloud:HomeAssistantDiscovery"] = "true" });
        await setup.Platform.SubscribeAsync("homeassistant/#");
        await setup.Platform.WaitUntilAsync(p => Configs(p, setup.Serial).Count >= 6, TimeSpan.FromSeconds(20), "six discovery configs");

        var configs = Configs(setup.Platform, setup.Serial);
        Assert.Equal(["binary_sensor", "event", "image", "update"], configs.Select(c => c.Component).Distinct().Order());
        foreach (var (component, config) in configs)
        {
            foreach (var key in RequiredKeys[component])
            {
                Assert.True(config.TryGetProperty(key, out var value) && value.ValueKind != JsonValueKind.Null, $"{component} lacks {key}: {config}");
            }

            if (component == "image")
            {
                Assert.True(config.TryGetProperty("image_topic", out _) || config.TryGetProperty("url_topic", out _), $"image needs image_topic or url_topic: {config}");
            }

            if (component == "event")
            {
                Assert.NotEmpty(config.GetProperty("event_types").EnumerateArray());
            }

            Assert.False(config.TryGetProperty("command_topic", out _), "discovery is read-only by default");
            Assert.StartsWith($"iris_{setup.Serial}_", config.GetProperty("unique_id").GetString(), StringComparison.Ordinal);
            Assert.Equal(setup.Serial, config.GetProperty("device").GetProperty("identifiers")[0].GetString());
            Assert.False(config.TryGetProperty("availability_topic", out _) && config.TryGetProperty("availability", out _));
            foreach (var topicKey in config.EnumerateObject().Where(p => p.Name.EndsWith("_topic", StringComparison.Ordinal)))
            {
                Assert.StartsWith($"iris/{setup.Serial}/", topicKey.Value.GetString(), StringComparison.Ordinal);
            }
        }

        Assert.Contains(configs, c => c.Component == "binary_sensor" && DeviceClass(c.Config) == "motion");
        Assert.Contains(configs, c => c.Component == "binary_sensor" && DeviceClass(c.Config) == "connectivity");
        Assert.Contains(setup.Platform.Received, m => m.Topic == $"iris/{setup.Serial}/ha/update" && m.Payload.Contains("installed_version", StringComparison.Ordinal));

        setup.Camera.App.Services.GetRequiredService<AlertCenter>().Announce(AlertKinds.Motion, DateTimeOffset.UtcNow, 7, "Motion detected.");
        await setup.Platform.WaitUntilAsync(p => p.Received.Any(m => m.Topic == $"iris/{setup.Serial}/ha/motion" && m.Payload == "ON"), TimeSpan.FromSeconds(20), "motion ON");
        await setup.Platform.WaitUntilAsync(p => p.Received.Any(m => m.Topic == $"iris/{setup.Serial}/ha/event" && m.Payload.Contains("\"event_type\":\"motion\"", StringComparison.Ordinal)), TimeSpan.FromSeconds(20), "the motion event");
    }

    /// <summary>
    /// Deliver 4 / attack finding A3(c): the update entity carries the latest version the update agent knows, not
    /// the installed one twice, and a check that finds a newer release republishes it (retained) while connected.
    /// </summary>
    [Fact]
    public async Task UpdateEntity_CarriesTheLatestVersionTheLastCheckFound_AndChangesWhenACheckFindsANewerOne()
    {
        await using var repository = new UpdateTestRepository();
        await repository.StartServerAsync();
        var extra = repository.CameraSettings();
        extra["Iris:Cloud:HomeAssistantDiscovery"] = "true";
        await using var setup = await LinkedCamera.StartAsync(extra: extra);
        using var owner = await setup.Camera.ClaimAsync();
        await setup.Platform.SubscribeAsync("homeassistant/#");
        var topic = $"iris/{setup.Serial}/ha/update";
        await setup.Platform.WaitUntilAsync(p => p.Received.Any(m => m.Topic == topic), TimeSpan.FromSeconds(20), "the update state");
        await setup.Platform.WaitUntilAsync(p => p.Received.Any(m => m.Topic == $"homeassistant/update/{setup.Serial}/firmware/config" && m.Payload.Contains(topic, StringComparison.Ordinal)), TimeSpan.FromSeconds(10), "the update entity's config");
        Assert.Equal(("0.1.0", "0.1.0"), Versions(setup.Platform.Received.Last(m => m.Topic == topic)));

        // A check that finds nothing newer leaves the latest at the installed version.
        await CheckForUpdatesAsync(owner, "offers no releases");
        await repository.PublishAsync(repository.ScriptApplication("v2", "exit 0"), "0.2.0", securityVersion: 2, entry: "start.sh");
        Assert.Equal(("0.1.0", "0.1.0"), Versions(setup.Platform.Received.Last(m => m.Topic == topic)));

        await CheckForUpdatesAsync(owner, "version 0.2.0 is available");
        await setup.Platform.WaitUntilAsync(p => p.Received.Any(m => m.Topic == topic && Versions(m) == ("0.1.0", "0.2.0")), TimeSpan.FromSeconds(10), "latest 0.2.0");
        var published = setup.Platform.Received.Last(m => m.Topic == topic);
        Assert.Equal(("0.1.0", "0.2.0"), Versions(published));

        // Retained: a Home Assistant that subscribes later sees the new latest version at once.
        using var late = setup.Broker.IssueClient(MosquittoBroker.PlatformUser);
        await using var newcomer = await MqttTestClient.ConnectAsync(setup.Broker, late, "platform-late-" + Guid.NewGuid().ToString("N")[..8]);
        await newcomer.SubscribeAsync(topic);
        await newcomer.WaitUntilAsync(p => p.Received.Any(m => m.Retained && Versions(m) == ("0.1.0", "0.2.0")), TimeSpan.FromSeconds(10), "the retained update state");
    }

    private static async Task CheckForUpdatesAsync(SignedInClient owner, string expected)
    {
        using var response = await owner.Http.PostAsync(new Uri("/api/updates/check", UriKind.Relative), null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        Assert.Contains(expected, body, StringComparison.Ordinal);
    }

    private static (string? Installed, string? Latest) Versions((string Topic, string Payload, bool Retained) message)
    {
        var state = JsonDocument.Parse(message.Payload).RootElement;
        return (state.GetProperty("installed_version").GetString(), state.GetProperty("latest_version").GetString());
    }

    private static string? DeviceClass(JsonElement config) => config.TryGetProperty("device_class", out var value) ? value.GetString() : null;

    private static List<(string Component, JsonElement Config)> Configs(MqttTestClient platform, string serial) =>
        [.. platform.Received
            // An empty retained config removes an entity (the command forms while Home Assistant commands are off).
            .Where(m => m.Topic.StartsWith("homeassistant/", StringComparison.Ordinal) && m.Topic.EndsWith($"/{serial}/" + m.Topic.Split('/')[3] + "/config", StringComparison.Ordinal) && m.Payload.Length > 0)
            .Select(m => (m.Topic.Split('/')[1], JsonDocument.Parse(m.Payload).RootElement.Clone()))];
}
