using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Iris.Firmware.Slots;

namespace Iris.Firmware.Metadata;

/// <summary>
/// Source-generated JSON metadata for everything the update format reads and writes (metadata envelopes and role
/// documents, bundle manifests, the slot record): the Native AOT daemon and launcher have no reflection-based
/// serializer. The options stay those of <see cref="MetadataJson"/>; this supplies only the type metadata.
/// </summary>
[JsonSerializable(typeof(SignedEnvelope))]
[JsonSerializable(typeof(RootDocument))]
[JsonSerializable(typeof(TimestampDocument))]
[JsonSerializable(typeof(SnapshotDocument))]
[JsonSerializable(typeof(TargetsDocument))]
[JsonSerializable(typeof(BundleManifest))]
[JsonSerializable(typeof(SlotRecord))]
public sealed partial class FirmwareJson : JsonSerializerContext
{
    /// <summary>
    /// <see cref="MetadataJson.Options"/> with this context as its only resolver. The options themselves keep the
    /// reflection resolver for the factory's own files (key references), which never run on a device.
    /// </summary>
    public static JsonSerializerOptions Metadata => MetadataOptions.Value;

    /// <summary>The metadata of <typeparamref name="T"/> under <paramref name="options"/> (whose resolver must know it).</summary>
    public static JsonTypeInfo<T> Info<T>(JsonSerializerOptions options) => (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));

    // A class of its own so these options are made after Default (the generated half's static initialiser).
    private static class MetadataOptions
    {
        public static readonly JsonSerializerOptions Value = new(MetadataJson.Options) { TypeInfoResolver = Default };
    }
}
