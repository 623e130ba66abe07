using System.Text.Json.Serialization;

namespace Iris.Camera.Debug;

/// <summary>
/// JSON metadata of the debug-console endpoints and the unlock token's grant, generated at build time (issue 18).
/// Camel case, otherwise default options: the grant is read exactly as before (names match case-sensitively).
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(DebugGrant))]
[JsonSerializable(typeof(DebugState))]
[JsonSerializable(typeof(DebugNonce))]
[JsonSerializable(typeof(DebugUnlockRequest))]
internal sealed partial class DebugJson : JsonSerializerContext;
