using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;

namespace Iris.Camera.Web;

/// <summary>
/// JSON metadata of the web layer, generated at build time (issue 18: no reflection-based serializer in the AOT
/// daemon). <see cref="object"/> is here because ASP.NET Core writes a value whose declared type is an interface
/// (an <c>IReadOnlyList&lt;T&gt;</c> result) as <see cref="object"/>, through the metadata of its runtime type; the
/// primitives are the values problem details carry in their extensions (<c>retryAt</c>).
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ProblemDetails))]
[JsonSerializable(typeof(HttpValidationProblemDetails))]
[JsonSerializable(typeof(ServiceManifestDocument))]
[JsonSerializable(typeof(object))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(DateTimeOffset))]
internal sealed partial class WebJson : JsonSerializerContext;
