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

    private static string? DeviceClass(JsonElement config) => config.TryGetProperty("device_class", out var value) ? value.GetString() : null;

    private static List<(string Component, JsonElement Config)> Configs(MqttTestClient platform, string serial) =>
        [.. platform.Received
            // An empty retained config removes an entity (the command forms while Home Assistant commands are off).
            .Where(m => m.Topic.StartsWith("homeassistant/", StringComparison.Ordinal) && m.Topic.EndsWith($"/{serial}/" + m.Topic.Split('/')[3] + "/config", StringComparison.Ordinal) && m.Payload.Length > 0)
            .Select(m => (m.Topic.Split('/')[1], JsonDocument.Parse(m.Payload).RootElement.Clone()))];
}
