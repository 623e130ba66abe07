using System.Security.Cryptography;
using System.Text;

namespace Iris.Firmware.Payload;

/// <summary>
/// Wraps a release key for a device key (ECIES over P-256): an ephemeral ECDH key agrees a secret with the
/// recipient's key, HKDF-SHA-256 turns it into a one-time key-encryption key bound to both public keys and the
/// bundle, and AES-256-GCM seals the release key. Only a holder of the recipient's private key can unwrap it,
/// so a bundle copied off the repository stays opaque.
/// </summary>
public static class ReleaseKeyWrap
{
    public const int ReleaseKeyLength = 32;
    private static ReadOnlySpan<byte> Label => "iris-fw release key wrap v1"u8;

    public static (byte[] EphemeralPublicKey, byte[] Wrapped) Wrap(ReadOnlySpan<byte> releaseKey, ReadOnlySpan<byte> recipientPublicKey, ReadOnlySpan<byte> bundleId)
    {
        using var recipient = ECDiffieHellman.Create();
        recipient.ImportSubjectPublicKeyInfo(recipientPublicKey, out _);
        using var ephemeral = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var ephemeralPublic = ephemeral.ExportSubjectPublicKeyInfo();
        var secret = ephemeral.DeriveRawSecretAgreement(recipient.PublicKey);
        var kek = DeriveKek(secret, ephemeralPublic, recipientPublicKey, bundleId);
        var wrapped = new byte[ReleaseKeyLength + 16];
        using (var aead = new AesGcm(kek, 16))
        {
            // The key-encryption key is used exactly once, so a fixed nonce is safe.
            aead.Encrypt(new byte[12], releaseKey, wrapped.AsSpan(0, ReleaseKeyLength), wrapped.AsSpan(ReleaseKeyLength), bundleId);
        }

        CryptographicOperations.ZeroMemory(secret);
        CryptographicOperations.ZeroMemory(kek);
        return (ephemeralPublic, wrapped);
    }

    /// <summary>The release key, or null when the wrap is not for this key or was altered.</summary>
    public static byte[]? Unwrap(ECDiffieHellman recipientKey, ReadOnlySpan<byte> ephemeralPublicKey, ReadOnlySpan<byte> wrapped, ReadOnlySpan<byte> bundleId)
    {
        if (wrapped.Length != ReleaseKeyLength + 16)
        {
            return null;
        }

        byte[] secret;
        try
        {
            using var ephemeral = ECDiffieHellman.Create();
            ephemeral.ImportSubjectPublicKeyInfo(ephemeralPublicKey, out _);
            if (ephemeral.KeySize != 256)
            {
                return null;
            }

            secret = recipientKey.DeriveRawSecretAgreement(ephemeral.PublicKey);
        }
        catch (CryptographicException)
        {
            return null;
        }

        var kek = DeriveKek(secret, ephemeralPublicKey, recipientKey.ExportSubjectPublicKeyInfo(), bundleId);
        var releaseKey = new byte[ReleaseKeyLength];
        try
        {
            using var aead = new AesGcm(kek, 16);
            aead.Decrypt(new byte[12], wrapped[..ReleaseKeyLength], wrapped[ReleaseKeyLength..], releaseKey, bundleId);
            return releaseKey;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
            CryptographicOperations.ZeroMemory(kek);
        }
    }

    private static byte[] DeriveKek(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> ephemeralPublic, ReadOnlySpan<byte> recipientPublic, ReadOnlySpan<byte> bundleId)
    {
        var info = new byte[Label.Length + ephemeralPublic.Length + recipientPublic.Length];
        Label.CopyTo(info);
        ephemeralPublic.CopyTo(info.AsSpan(Label.Length));
        recipientPublic.CopyTo(info.AsSpan(Label.Length + ephemeralPublic.Length));
        var kek = new byte[32];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, kek, bundleId, info);
        return kek;
    }
}
