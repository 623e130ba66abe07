using System.Security.Cryptography;
using Iris.Camera.Vault;

namespace Iris.Camera.Link;

/// <summary>
/// The webhook's HMAC key: 32 random bytes made on the device, sealed in the vault, shown to the administrator
/// once (to enter at the receiver) and never again. Making a new one replaces the old at once.
/// </summary>
internal sealed class WebhookSecret(SecretVault vault)
{
    public const string VaultItem = "link-webhook-hmac";

    public bool IsSet => vault.Contains(VaultItem);

    /// <summary>Makes and seals a new key and returns it (base64url) for the administrator to copy.</summary>
    public string Renew()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        try
        {
            vault.Seal(VaultItem, key);
            return Convert.ToBase64String(key).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>HMAC-SHA-256 of the body under the sealed key, as "sha256=&lt;hex&gt;"; null when no key is set.</summary>
    public string? Sign(ReadOnlySpan<byte> body)
    {
        using var read = vault.Unseal(VaultItem);
        if (read.Status != VaultReadStatus.Ok)
        {
            return null;
        }

        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(read.Secret, body));
    }
}
