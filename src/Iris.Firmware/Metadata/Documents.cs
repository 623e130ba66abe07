using System.Text.Json;
using System.Text.Json.Serialization;

namespace Iris.Firmware.Metadata;

/// <summary>
/// One signed metadata file: the exact payload bytes (base64) and the signatures over their DSSE encoding.
/// </summary>
public sealed record SignedEnvelope(
    [property: JsonPropertyName("payloadType")] string PayloadType,
    [property: JsonPropertyName("payload")] string Payload,
    [property: JsonPropertyName("signatures")] IReadOnlyList<EnvelopeSignature> Signatures)
{
    [JsonIgnore]
    public byte[] PayloadBytes => Convert.FromBase64String(Payload);
}

public sealed record EnvelopeSignature([property: JsonPropertyName("keyid")] string KeyId, [property: JsonPropertyName("sig")] string Sig);

public sealed record PublicKeyEntry(string Scheme, string PublicKey);

public sealed record RoleKeys(IReadOnlyList<string> KeyIds, int Threshold);

/// <summary>Size and SHA-256 of another metadata file, pinned by the role above it.</summary>
public sealed record MetaFile(long Version, long Length, string Sha256);

public static class RoleName
{
    public const string Root = "root";
    public const string Timestamp = "timestamp";
    public const string Snapshot = "snapshot";
    public const string Targets = "targets";
    public static readonly IReadOnlyList<string> All = [Root, Timestamp, Snapshot, Targets];
}

/// <summary>Fields every role carries.</summary>
public interface IRoleDocument
{
    string Type { get; }

    long Version { get; }

    DateTimeOffset Expires { get; }
}

/// <summary>The root of trust: which keys may sign each role, and how many must.</summary>
public sealed record RootDocument(
    string Type,
    long Version,
    DateTimeOffset Expires,
    IReadOnlyDictionary<string, PublicKeyEntry> Keys,
    IReadOnlyDictionary<string, RoleKeys> Roles) : IRoleDocument;

public sealed record TimestampDocument(string Type, long Version, DateTimeOffset Expires, MetaFile Snapshot) : IRoleDocument;

public sealed record SnapshotDocument(string Type, long Version, DateTimeOffset Expires, MetaFile Targets) : IRoleDocument;

public sealed record TargetsDocument(string Type, long Version, DateTimeOffset Expires, IReadOnlyList<TargetEntry> Targets) : IRoleDocument;

/// <summary>
/// The release's CycloneDX SBOM named in the signed targets metadata: its file name inside the release (or given
/// beside it), length and SHA-256, so anyone holding the SBOM can check it is the one the vendor signed.
/// </summary>
public sealed record SbomPin(string Name, long Length, string Sha256);

/// <summary>One published bundle: the encrypted file's length and hash, and what it is.</summary>
public sealed record TargetEntry(string Name, long Length, string Sha256, ReleaseInfo Release);

/// <summary>
/// What the device needs to decide on and install a bundle: compatible models, the software version, the
/// monotonic security version (anti-rollback), the end of security support (5.3.1.4), the payload pins, and the
/// release's software bill of materials by length and hash (absent for releases made without one).
/// </summary>
public sealed record ReleaseInfo(
    IReadOnlyList<string> Models,
    string Version,
    long SecurityVersion,
    DateOnly SupportEnd,
    string Kind,
    string Entry,
    PayloadPins Payload,
    IReadOnlyList<WrappedReleaseKey> Keys,
    SbomPin? Sbom = null)
{
    public const string DirectoryKind = "directory";
    public const string ImageKind = "image";
}

/// <summary>The encrypted payload's identity and hash tree (see Payload/README.md).</summary>
public sealed record PayloadPins(string BundleId, int ChunkSize, long PlaintextLength, string PlaintextSha256, string TreeRoot, string ChunkList);

/// <summary>The release key wrapped for one recipient key (ECDH P-256 + HKDF-SHA-256 + AES-256-GCM).</summary>
public sealed record WrappedReleaseKey(string Recipient, string EphemeralKey, string Wrapped);

/// <summary>The strict JSON settings for metadata: unknown members are refused, names are camelCase.</summary>
public static class MetadataJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        WriteIndented = true,
    };
}
