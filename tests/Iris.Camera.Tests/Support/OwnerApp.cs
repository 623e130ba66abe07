using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace Iris.Camera.Tests.Support;

/// <summary>
/// The owner app's side of signed remote commands (docs/platform-protocol.md), as a small library: its own P-256
/// key, pairing requests, signed command envelopes, and verification of the device's signed answers against the
/// device certificate. Written from the protocol document, not from the camera's code.
/// </summary>
public sealed class OwnerApp : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public byte[] PublicKey => _key.ExportSubjectPublicKeyInfo();

    public string KeyId => Encode(SHA256.HashData(PublicKey).AsSpan(0, 16));

    public string PairingRequest(string code) => JsonSerializer.Serialize(new { code, publicKey = Encode(PublicKey) });

    /// <summary>The command's JSON body, before signing.</summary>
    public static byte[] CommandBody(string serial, string action, DateTimeOffset issuedAt, TimeSpan validity, string? commandId = null) =>
        JsonSerializer.SerializeToUtf8Bytes(new
        {
            serial,
            commandId = commandId ?? Guid.NewGuid().ToString("N"),
            issuedAt,
            expiresAt = issuedAt + validity,
            nonce = Encode(RandomNumberGenerator.GetBytes(16)),
            action,
        });

    /// <summary>A signed envelope around <paramref name="body"/>: payload and signature base64url, ECDSA P-256 SHA-256 (r‖s).</summary>
    public string Sign(byte[] body) => JsonSerializer.Serialize(new { payload = Encode(body), keyId = KeyId, signature = Encode(_key.SignData(body, HashAlgorithmName.SHA256)) });

    public string Command(string serial, string action, string? commandId = null) =>
        Sign(CommandBody(serial, action, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1), commandId));

    /// <summary>The answer's body if the device key signed it; fails the test otherwise.</summary>
    public static JsonElement VerifyResult(string envelope, X509Certificate2 device)
    {
        var root = JsonDocument.Parse(envelope).RootElement;
        var payload = Decode(root.GetProperty("payload").GetString()!);
        using var key = device.GetECDsaPublicKey()!;
        Assert.True(key.VerifyData(payload, Decode(root.GetProperty("signature").GetString()!), HashAlgorithmName.SHA256), "the answer is not signed by the device key");
        return JsonDocument.Parse(payload).RootElement.Clone();
    }

    public static string Encode(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static byte[] Decode(string text) => Convert.FromBase64String(text.Replace('-', '+').Replace('_', '/') + new string('=', (4 - (text.Length % 4)) % 4));

    public static string Utf8(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    public void Dispose() => _key.Dispose();
}
