using System.Text.Json;
using System.Text.Json.Nodes;
using Iris.Camera.Events;
using Iris.Camera.Identity;
using Iris.Camera.Media;
using Iris.Camera.Platform;

namespace Iris.Camera.Link;

/// <summary>
/// Home Assistant MQTT discovery (read-only): motion (binary sensor), privacy mode (binary sensor: Home Assistant
/// cannot sign commands, so no switch is offered), snapshot (image), alerts (event), update (installed and latest
/// version) and online state (connectivity, and availability of every entity from the retained state topic).
/// Configs are retained under <c>&lt;HomeAssistantPrefix&gt;/&lt;component&gt;/&lt;serial&gt;/&lt;object&gt;/config</c>;
/// states live under the camera's own prefix.
/// </summary>
internal sealed class HomeAssistantDiscovery(CloudOptions options, MqttConnection connection, DeviceIdentity identity, SoftwareInfo software, PrivacyMode privacy)
{
    /// <summary>Every alert kind Home Assistant may see as an event type.</summary>
    public static IReadOnlyList<string> EventTypes { get; } =
    [
        AlertKinds.BruteForce, AlertKinds.Lockout, AlertKinds.SuccessAfterFailures, AlertKinds.NewSource,
        AlertKinds.UpdateRefused, AlertKinds.UpdateRolledBack, AlertKinds.Motion, LinkService.TestAlertKind,
    ];

    private string StateTopic(string name) => $"{connection.Prefix}/ha/{name}";

    /// <summary>Retained discovery configs and the states known now, as (topic, payload, retain).</summary>
    public IEnumerable<(string Topic, byte[] Payload, bool Retain)> Messages()
    {
        if (!options.HomeAssistantDiscovery)
        {
            yield break;
        }

        foreach (var (component, objectId, config) in Configs())
        {
            yield return ($"{options.HomeAssistantPrefix}/{component}/{identity.Serial}/{objectId}/config", JsonSerializer.SerializeToUtf8Bytes(config, LinkMessageJson.Default.JsonObject), true);
        }

        yield return (StateTopic("motion"), "OFF"u8.ToArray(), true);
        yield return (StateTopic("privacy"), privacy.Enabled ? "ON"u8.ToArray() : "OFF"u8.ToArray(), true);
        yield return (StateTopic("update"), JsonSerializer.SerializeToUtf8Bytes(new HomeAssistantUpdateState(software.Version, software.Version), LinkMessageJson.Default.HomeAssistantUpdateState), true);
    }

    /// <summary>What delivering an alert means for Home Assistant: an event, and motion turned on (it turns itself off).</summary>
    public IEnumerable<(string Topic, byte[] Payload, bool Retain)> ForAlert(OutboxEntry entry)
    {
        if (!options.HomeAssistantDiscovery)
        {
            yield break;
        }

        yield return (StateTopic("event"), JsonSerializer.SerializeToUtf8Bytes(new HomeAssistantEvent(entry.Kind, entry.Message), LinkMessageJson.Default.HomeAssistantEvent), false);
        if (entry.Kind == AlertKinds.Motion)
        {
            yield return (StateTopic("motion"), "ON"u8.ToArray(), false);
        }
    }

    public IEnumerable<(string Component, string ObjectId, JsonObject Config)> Configs()
    {
        yield return ("binary_sensor", "motion", Entity("Motion", "motion", new()
        {
            ["state_topic"] = StateTopic("motion"),
            ["device_class"] = "motion",
            // Motion events are instants; Home Assistant clears the sensor itself.
            ["off_delay"] = 30,
        }));
        yield return ("binary_sensor", "privacy", Entity("Privacy mode", "privacy", new()
        {
            ["state_topic"] = StateTopic("privacy"),
            ["icon"] = "mdi:cctv-off",
        }));
        yield return ("binary_sensor", "online", Entity("Online", "online", new()
        {
            ["state_topic"] = connection.StateTopic,
            ["device_class"] = "connectivity",
            ["payload_on"] = "online",
            ["payload_off"] = "offline",
        }, withAvailability: false));
        yield return ("image", "snapshot", Entity("Snapshot", "snapshot", new()
        {
            ["image_topic"] = StateTopic("snapshot"),
            ["content_type"] = "image/jpeg",
        }));
        yield return ("event", "alerts", Entity("Alerts", "alerts", new()
        {
            ["state_topic"] = StateTopic("event"),
            ["event_types"] = new JsonArray([.. EventTypes.Select(t => (JsonNode)t)]),
        }));
        yield return ("update", "firmware", Entity("Firmware", "firmware", new()
        {
            ["state_topic"] = StateTopic("update"),
            ["device_class"] = "firmware",
        }));
    }

    private JsonObject Entity(string name, string objectId, JsonObject specific, bool withAvailability = true)
    {
        specific["name"] = name;
        specific["unique_id"] = $"iris_{identity.Serial}_{objectId}";
        specific["device"] = new JsonObject
        {
            ["identifiers"] = new JsonArray(identity.Serial),
            ["name"] = $"Iris camera {identity.Serial}",
            ["manufacturer"] = identity.Vendor,
            ["model"] = identity.Model,
            ["serial_number"] = identity.Serial,
            ["sw_version"] = software.Version,
        };
        if (withAvailability)
        {
            specific["availability_topic"] = connection.StateTopic;
            specific["payload_available"] = "online";
            specific["payload_not_available"] = "offline";
        }

        return specific;
    }
}
