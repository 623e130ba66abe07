using System.Text.Json;
using System.Text.Json.Nodes;
using Iris.Camera.Events;
using Iris.Camera.Identity;
using Iris.Camera.Media;
using Iris.Camera.Platform;

namespace Iris.Camera.Link;

/// <summary>
/// Home Assistant MQTT discovery: motion (binary sensor), privacy mode (binary sensor, read-only: Home Assistant
/// cannot sign commands), snapshot (image), alerts (event), update (installed and latest version) and online state
/// (connectivity, and availability of every entity from the retained state topic). Only with
/// <see cref="CloudOptions.HomeAssistantCommands"/> on is privacy mode a switch and is there a snapshot button
/// (<see cref="HomeAssistantCommands"/>); the form not in use is removed with an empty retained config.
/// Configs are retained under <c>&lt;HomeAssistantPrefix&gt;/&lt;component&gt;/&lt;serial&gt;/&lt;object&gt;/config</c>;
/// states live under the camera's own prefix.
/// </summary>
internal sealed class HomeAssistantDiscovery(CloudOptions options, MqttConnection connection, DeviceIdentity identity, SoftwareInfo software, PrivacyMode privacy, IAvailableUpdate update)
{
    /// <summary>Every alert kind Home Assistant may see as an event type.</summary>
    public static IReadOnlyList<string> EventTypes { get; } =
    [
        AlertKinds.BruteForce, AlertKinds.Lockout, AlertKinds.SuccessAfterFailures, AlertKinds.NewSource,
        AlertKinds.UpdateRefused, AlertKinds.UpdateRolledBack, AlertKinds.Motion, LinkService.TestAlertKind,
    ];

    // The privacy state last published: -1 none yet (not connected), 0 off, 1 on. Written by the link's one loop.
    private volatile int _publishedPrivacy = -1;

    // The latest version last published; null none yet. Written by the link's one loop.
    private volatile string? _publishedLatest;

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
            yield return (ConfigTopic(component, objectId), JsonSerializer.SerializeToUtf8Bytes(config, LinkMessageJson.Default.JsonObject), true);
        }

        // The entities of the other setting go, so Home Assistant never shows a switch that the camera refuses.
        foreach (var (component, objectId) in options.HomeAssistantCommands ? ReadOnlyForms : CommandForms)
        {
            yield return (ConfigTopic(component, objectId), [], true);
        }

        yield return (StateTopic("motion"), "OFF"u8.ToArray(), true);
        var enabled = privacy.Enabled;
        _publishedPrivacy = enabled ? 1 : 0;
        yield return (StateTopic("privacy"), enabled ? "ON"u8.ToArray() : "OFF"u8.ToArray(), true);
        yield return UpdateState();
    }

    /// <summary>Installed and latest version; the latest is what the update agent's last check found, else the installed one.</summary>
    private (string Topic, byte[] Payload, bool Retain) UpdateState()
    {
        var latest = update.LatestVersion ?? software.Version;
        _publishedLatest = latest;
        return (StateTopic("update"), JsonSerializer.SerializeToUtf8Bytes(new HomeAssistantUpdateState(software.Version, latest), LinkMessageJson.Default.HomeAssistantUpdateState), true);
    }

    /// <summary>
    /// The privacy state again when it changed since it was last published (from the web page, a signed command or
    /// Home Assistant), so Home Assistant never shows a dark camera as watching or the reverse; and the update state
    /// when a check found another latest version. The link asks about once a second while connected.
    /// </summary>
    public IEnumerable<(string Topic, byte[] Payload, bool Retain)> Changes()
    {
        if (!options.HomeAssistantDiscovery || _publishedPrivacy < 0)
        {
            yield break;
        }

        var enabled = privacy.Enabled;
        if (enabled != (_publishedPrivacy == 1))
        {
            _publishedPrivacy = enabled ? 1 : 0;
            yield return (StateTopic("privacy"), enabled ? "ON"u8.ToArray() : "OFF"u8.ToArray(), true);
        }

        if ((update.LatestVersion ?? software.Version) != _publishedLatest)
        {
            yield return UpdateState();
        }
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

    private static readonly (string, string)[] ReadOnlyForms = [("binary_sensor", "privacy")];
    private static readonly (string, string)[] CommandForms = [("switch", "privacy"), ("button", "snapshot")];

    private string ConfigTopic(string component, string objectId) => $"{options.HomeAssistantPrefix}/{component}/{identity.Serial}/{objectId}/config";

    public IEnumerable<(string Component, string ObjectId, JsonObject Config)> Configs()
    {
        yield return ("binary_sensor", "motion", Entity("Motion", "motion", new()
        {
            ["state_topic"] = StateTopic("motion"),
            ["device_class"] = "motion",
            // Motion events are instants; Home Assistant clears the sensor itself.
            ["off_delay"] = 30,
        }));
        if (options.HomeAssistantCommands)
        {
            yield return ("switch", "privacy", Entity("Privacy mode", "privacy", new()
            {
                ["state_topic"] = StateTopic("privacy"),
                ["command_topic"] = StateTopic("privacy") + "/set",
                ["payload_on"] = "ON",
                ["payload_off"] = "OFF",
                ["icon"] = "mdi:cctv-off",
            }));
            yield return ("button", "snapshot", Entity("Take snapshot", "snapshot_button", new()
            {
                ["command_topic"] = StateTopic("snapshot") + "/set",
                ["payload_press"] = "PRESS",
            }));
        }
        else
        {
            yield return ("binary_sensor", "privacy", Entity("Privacy mode", "privacy", new()
            {
                ["state_topic"] = StateTopic("privacy"),
                ["icon"] = "mdi:cctv-off",
            }));
        }

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
