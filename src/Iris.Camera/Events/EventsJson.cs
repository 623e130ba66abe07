using System.Text.Json;
using System.Text.Json.Serialization;

namespace Iris.Camera.Events;

/// <summary>JSON metadata of the security log and alert endpoints, generated at build time (issue 18).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(IReadOnlyList<SecurityEvent>))]
[JsonSerializable(typeof(List<SecurityEvent>))]
[JsonSerializable(typeof(ChainStatus))]
[JsonSerializable(typeof(IReadOnlyList<SecurityAlert>))]
[JsonSerializable(typeof(List<SecurityAlert>))]
internal sealed partial class EventsJson : JsonSerializerContext;
