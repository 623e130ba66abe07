using System.Text.Json;
using System.Text.Json.Serialization;

namespace Iris.Camera.Link;

/// <summary>
/// A signed message on the link (docs/platform-protocol.md): <see cref="Payload"/> is base64url of the UTF-8 JSON
/// body, <see cref="Signature"/> is base64url of the ECDSA P-256 / SHA-256 signature over exactly those payload
/// bytes (IEEE P1363, r‖s), <see cref="KeyId"/> names the paired key (commands) or is the device serial (results).
/// Signing the bytes as sent means no JSON canonicalisation is needed.
/// </summary>
public sealed record SignedEnvelope(
    [property: JsonPropertyName("payload")] string? Payload,
    [property: JsonPropertyName("keyId")] string? KeyId,
    [property: JsonPropertyName("signature")] string? Signature);

/// <summary>What a command says: which device, which command (id, also the replay-cache key), when, until when, what to do (and, to start a remote view, the relay, session id and viewer key).</summary>
public sealed record RemoteCommand(
    [property: JsonPropertyName("serial")] string? Serial,
    [property: JsonPropertyName("commandId")] string? CommandId,
    [property: JsonPropertyName("issuedAt")] DateTimeOffset? IssuedAt,
    [property: JsonPropertyName("expiresAt")] DateTimeOffset? ExpiresAt,
    [property: JsonPropertyName("nonce")] string? Nonce,
    [property: JsonPropertyName("action")] string? Action,
    [property: JsonPropertyName("relay")] string? Relay = null,
    [property: JsonPropertyName("sessionId")] string? SessionId = null,
    [property: JsonPropertyName("viewerKey")] string? ViewerKey = null);

/// <summary>The device's answer to a command, signed by the device key.</summary>
public sealed record CommandResult(
    [property: JsonPropertyName("serial")] string Serial,
    [property: JsonPropertyName("commandId")] string? CommandId,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("detail")] string Detail,
    [property: JsonPropertyName("at")] DateTimeOffset At,
    [property: JsonPropertyName("remoteView"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] RemoteViewGrant? RemoteView = null,
    [property: JsonPropertyName("snapshot"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SnapshotPicture? Snapshot = null);

/// <summary>A pairing request: the one-time code the administrator showed and the app's public key (SPKI, base64url).</summary>
public sealed record PairingRequest(
    [property: JsonPropertyName("code")] string? Code,
    [property: JsonPropertyName("publicKey")] string? PublicKey);

internal static class LinkJson
{
    public static T? TryParse<T>(ReadOnlySpan<byte> utf8)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(utf8, (System.Text.Json.Serialization.Metadata.JsonTypeInfo<T>)LinkMessageJson.Default.GetTypeInfo(typeof(T))!);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
