using System.Text.Json;
using System.Text.Json.Serialization;

namespace Iris.Camera.Reset;

/// <summary>JSON metadata of the factory-reset endpoint, generated at build time (issue 18).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(FactoryResetRequest))]
[JsonSerializable(typeof(FactoryResetAccepted))]
internal sealed partial class ResetJson : JsonSerializerContext;
