using System.Text.Json;
using System.Text.Json.Serialization;

namespace Iris.Camera.Rtsp;

/// <summary>JSON metadata of the RTSPS settings endpoints, generated at build time (issue 18).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(RtspState))]
[JsonSerializable(typeof(RtspRequestBody))]
internal sealed partial class RtspJson : JsonSerializerContext;
