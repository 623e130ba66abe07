using System.Text.Json;
using System.Text.Json.Serialization;

namespace Iris.Camera.Telemetry;

/// <summary>JSON metadata of the telemetry endpoints and the payload sent, generated at build time (issue 18).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(TelemetryStatus))]
[JsonSerializable(typeof(TelemetryConsent))]
[JsonSerializable(typeof(TelemetryPayload))]
internal sealed partial class TelemetryJson : JsonSerializerContext;
