using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Iris.Relay;

/// <summary>
/// The viewer's admission ticket (docs/platform-protocol.md, "Relay"): <c>base64url(payload) "." base64url(signature)</c>,
/// the payload UTF-8 JSON naming the session, the camera's serial, an expiry (Unix seconds) and a nonce, signed by
/// the camera's device key (ECDSA P-256, SHA-256, r‖s). The relay checks it against the certificate of the camera
/// holding that session, so a token is good for exactly one live session of exactly one camera.
/// </summary>
internal static class ViewerToken
{
    /// <summary>Null when the token admits a viewer to <paramref name="session"/> now; otherwise why not.</summary>
    public static string? Check(string? token, RelaySession session, DateTimeOffset now, TimeSpan lifetimeLimit, out string nonce)
    {
        nonce = "";
        var dot = token?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        if (token is null || token.Length > 2048 || dot <= 0)
        {
            return "no token";
        }

        var payload = TryDecode(token[..dot]);
        var signature = TryDecode(token[(dot + 1)..]);
        if (payload is null || signature is null)
        {
            return "malformed token";
        }

        using (var key = ECDsa.Create())
        {
            key.ImportSubjectPublicKeyInfo(session.CameraKey, out _);
            if (!key.VerifyData(payload, signature, HashAlgorithmName.SHA256))
            {
                return "token not signed by this session's camera";
            }
        }

        ViewerTokenPayload? body;
        try
        {
            body = JsonSerializer.Deserialize(payload, RelayJson.Default.ViewerTokenPayload);
        }
        catch (JsonException)
        {
            return "malformed token";
        }

        if (body is null || body.Version != 1 || body.Nonce is not { Length: > 0 and <= 64 })
        {
            return "malformed token";
        }

        if (!string.Equals(body.SessionId, session.Id, StringComparison.Ordinal) || !string.Equals(body.Serial, session.Serial, StringComparison.Ordinal))
        {
            return "token is for another session";
        }

        var expires = DateTimeOffset.FromUnixTimeSeconds(body.ExpiresAt);
        if (expires <= now)
        {
            return "token expired";
        }

        if (expires - now > lifetimeLimit)
        {
            return "token lives too long";
        }

        nonce = body.Nonce;
        return null;
    }

    private static byte[]? TryDecode(string text)
    {
        try
        {
            return Base64Url.DecodeFromChars(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

internal sealed record ViewerTokenPayload(
    [property: JsonPropertyName("v")] int Version,
    [property: JsonPropertyName("sessionId")] string? SessionId,
    [property: JsonPropertyName("serial")] string? Serial,
    [property: JsonPropertyName("expiresAt")] long ExpiresAt,
    [property: JsonPropertyName("nonce")] string? Nonce);

[JsonSerializable(typeof(ViewerTokenPayload))]
internal sealed partial class RelayJson : JsonSerializerContext;
