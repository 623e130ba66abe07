using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Iris.Camera.Link;

/// <summary>
/// JSON metadata of what the platform link sends and receives (alerts, signed commands and results, Home Assistant
/// discovery) and of its settings endpoints, generated at build time (issue 18). Default options: the messages keep
/// the names their records declare (docs/platform-protocol.md).
/// </summary>
[JsonSerializable(typeof(AlertMessage))]
[JsonSerializable(typeof(SignedEnvelope))]
[JsonSerializable(typeof(RemoteCommand))]
[JsonSerializable(typeof(CommandResult))]
[JsonSerializable(typeof(PairingRequest))]
[JsonSerializable(typeof(JsonObject))]
[JsonSerializable(typeof(HomeAssistantUpdateState))]
[JsonSerializable(typeof(HomeAssistantEvent))]
[JsonSerializable(typeof(LinkStatusView))]
[JsonSerializable(typeof(WebhookKey))]
[JsonSerializable(typeof(IReadOnlyList<PairedKey>))]
[JsonSerializable(typeof(List<PairedKey>))]
[JsonSerializable(typeof(PairingCodeRequest))]
[JsonSerializable(typeof(TestAlertSent))]
[JsonSerializable(typeof(PairingCode))]
[JsonSerializable(typeof(WebhookKeyRequest))]
[JsonSerializable(typeof(LinkSettingsRequest))]
[JsonSerializable(typeof(LinkSettingsView))]
internal sealed partial class LinkMessageJson : JsonSerializerContext;

/// <summary>The link settings sealed in the vault, in the camel-case names the settings page sends.</summary>
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(LinkSettingsRequest))]
internal sealed partial class StoredLinkSettingsJson : JsonSerializerContext;

/// <summary>Home Assistant's update entity state (its names are snake case).</summary>
internal sealed record HomeAssistantUpdateState(
    [property: JsonPropertyName("installed_version")] string InstalledVersion,
    [property: JsonPropertyName("latest_version")] string LatestVersion);

/// <summary>Home Assistant's event entity payload.</summary>
internal sealed record HomeAssistantEvent(
    [property: JsonPropertyName("event_type")] string EventType,
    [property: JsonPropertyName("message")] string Message);

/// <summary>The answer to POST /api/link/test-alert.</summary>
internal sealed record TestAlertSent(long AlertId);

/// <summary>The answer to POST /api/link/pairing: the one-time code and when it expires.</summary>
internal sealed record PairingCode(string Code, DateTimeOffset ExpiresAt);
