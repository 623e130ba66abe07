using System.Text.Json;
using System.Text.Json.Serialization;
using Iris.Camera.Storage;

namespace Iris.Camera.Privacy;

/// <summary>JSON metadata of the personal-data endpoints, generated at build time (issue 18).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(IReadOnlyList<DataKind>))]
[JsonSerializable(typeof(List<DataKind>))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, int>))]
[JsonSerializable(typeof(Dictionary<string, int>))]
[JsonSerializable(typeof(DeletionResult))]
[JsonSerializable(typeof(DeleteAllRequest))]
internal sealed partial class PrivacyJson : JsonSerializerContext;
