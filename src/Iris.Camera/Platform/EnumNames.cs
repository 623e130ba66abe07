using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Iris.Camera.Platform;

/// <summary>Enums as camel-case strings in JSON ("manageSettings"), the daemon's format everywhere.</summary>
internal static class EnumNames
{
    /// <summary>
    /// The non-generic converter, for every enum. The AOT analyzer flags it because it makes <c>EnumConverter&lt;T&gt;</c>
    /// with MakeGenericType. Safe here: every enum the daemon serializes is a member of a type in a source-generated
    /// context, whose metadata already instantiates that same converter type (JsonMetadataServices.GetEnumConverter),
    /// so its native code exists in the AOT binary; the process-level tests run against that binary (roles at sign-in).
    /// Not so for an enum with a converter of its own on its type: such an enum names <c>JsonStringEnumConverter&lt;T&gt;</c>
    /// there (<c>HttpJsonContextsTests</c> checks it).
    /// </summary>
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "See the summary: the instantiations exist through the source-generated metadata.")]
    public static JsonStringEnumConverter CamelCase(bool allowIntegerValues = true) => new(JsonNamingPolicy.CamelCase, allowIntegerValues);
}
