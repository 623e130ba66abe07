using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Iris.Camera.Platform;

/// <summary>
/// Typed access to source-generated JSON metadata through a set of options: a call that passes options alone
/// would use the reflection-based serializer, which the Native AOT daemon does not have (issue 18).
/// </summary>
internal static class JsonTypes
{
    /// <summary>The metadata of <typeparamref name="T"/> from the options' resolver (a <c>JsonSerializerContext</c>).</summary>
    public static JsonTypeInfo<T> Info<T>(this JsonSerializerOptions options) => (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
}
