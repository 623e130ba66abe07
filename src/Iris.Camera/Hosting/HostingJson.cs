using System.Text.Json;
using System.Text.Json.Serialization;

namespace Iris.Camera.Hosting;

/// <summary>JSON metadata of the device-description endpoints, generated at build time (issue 18).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(DeviceInfo))]
[JsonSerializable(typeof(PermissionsDocument))]
[JsonSerializable(typeof(SbomSummary))]
[JsonSerializable(typeof(IxitDocument))]
internal sealed partial class HostingJson : JsonSerializerContext;
