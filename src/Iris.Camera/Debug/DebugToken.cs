using System.Security.Cryptography;
using System.Text.Json;

namespace Iris.Camera.Debug;

/// <summary>What a vendor debug token grants: this serial, this device nonce, until this time.</summary>
internal sealed record DebugGrant(string Serial, string Nonce, long IssuedAt, long ExpiresAt);

/// <summary>
/// A debug unlock token: <c>base64url(grant JSON) "." base64url(ECDSA P-256 SHA-256 signature, DER)</c>, signed by
/// the vendor's debug key (<c>iris-factory debug-token issue</c>, key in a PKCS#11 token). Parsing checks only the
/// signature; what the grant allows is checked by <see cref="DebugConsole"/>.
/// </summary>
internal static class DebugToken
{
    public const int MaxLength = 2048;

    public static DebugGrant? Verify(string token, ECDsa vendorKey)
    {
        if (token.Length > MaxLength || token.Split('.') is not [var payloadText, var signatureText])
        {
            return null;
        }

        try
        {
            var payload = System.Buffers.Text.Base64Url.DecodeFromChars(payloadText);
            var signature = System.Buffers.Text.Base64Url.DecodeFromChars(signatureText);
            if (!vendorKey.VerifyData(payload, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence))
            {
                return null;
            }

            return JsonSerializer.Deserialize(payload, DebugJson.Default.DebugGrant) is { Serial: not null, Nonce: not null } grant ? grant : null;
        }
        catch (Exception ex) when (ex is FormatException or JsonException or CryptographicException)
        {
            return null;
        }
    }
}
