using System.Text.Json;
using System.Text.Json.Serialization;

namespace Iris.Camera.Updates;

/// <summary>JSON metadata of the update endpoints and stored update results, generated at build time (issue 18).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(UpdateStatusView))]
[JsonSerializable(typeof(UpdateResultView))]
[JsonSerializable(typeof(UpdateSettings))]
internal sealed partial class UpdatesJson : JsonSerializerContext;
