using System.Security.Cryptography;
using System.Text;

namespace Iris.Firmware.Metadata;

/// <summary>A role key that can sign: in memory for development, or in a PKCS#11 token in the factory.</summary>
public interface IMetadataSigner
{
    /// <summary>The key's SubjectPublicKeyInfo (DER); its SHA-256 is the key id.</summary>
    byte[] PublicKey { get; }

    /// <summary>ECDSA P-256 over SHA-256 of <paramref name="data"/>, DER-encoded (RFC 3279).</summary>
    byte[] Sign(ReadOnlySpan<byte> data);
}

/// <summary>An ECDSA P-256 key held by this process.</summary>
public sealed class EcdsaMetadataSigner(ECDsa key) : IMetadataSigner
{
    public byte[] PublicKey { get; } = key.ExportSubjectPublicKeyInfo();

    public byte[] Sign(ReadOnlySpan<byte> data) => key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
}

/// <summary>Key ids, the signed-bytes encoding and signature checks shared by every role.</summary>
public static class MetadataSignatures
{
    public const string Scheme = "ecdsa-sha2-nistp256";
    public const string PayloadType = "application/vnd.iris.update-metadata+json";

    public static string KeyId(ReadOnlySpan<byte> subjectPublicKeyInfo) => Convert.ToHexStringLower(SHA256.HashData(subjectPublicKeyInfo));

    /// <summary>
    /// DSSE pre-authentication encoding: the exact payload bytes are signed, so no JSON canonicalisation is
    /// needed and the payload type cannot be confused with another document kind.
    /// </summary>
    public static byte[] PreAuthenticationEncoding(ReadOnlySpan<byte> payload)
    {
        var prefix = Encoding.UTF8.GetBytes($"DSSEv1 {PayloadType.Length} {PayloadType} {payload.Length} ");
        var bytes = new byte[prefix.Length + payload.Length];
        prefix.CopyTo(bytes, 0);
        payload.CopyTo(bytes.AsSpan(prefix.Length));
        return bytes;
    }

    /// <summary>Counts distinct authorised keys whose signature over the payload verifies.</summary>
    public static int CountValid(SignedEnvelope envelope, RoleKeys role, IReadOnlyDictionary<string, PublicKeyEntry> keys)
    {
        var signed = PreAuthenticationEncoding(envelope.PayloadBytes);
        var counted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var signature in envelope.Signatures)
        {
            if (counted.Contains(signature.KeyId) || !role.KeyIds.Contains(signature.KeyId) || !keys.TryGetValue(signature.KeyId, out var key)
                || key.Scheme != Scheme)
            {
                continue;
            }

            byte[] publicKey, sig;
            try
            {
                publicKey = Convert.FromBase64String(key.PublicKey);
                sig = Convert.FromBase64String(signature.Sig);
            }
            catch (FormatException)
            {
                continue;
            }

            // The key id must be the hash of the key it names, so one key cannot be listed twice under two ids.
            if (KeyId(publicKey) != signature.KeyId)
            {
                continue;
            }

            using var ecdsa = ECDsa.Create();
            try
            {
                ecdsa.ImportSubjectPublicKeyInfo(publicKey, out _);
                if (ecdsa.KeySize != 256)
                {
                    continue;
                }

                if (ecdsa.VerifyData(signed, sig, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence))
                {
                    counted.Add(signature.KeyId);
                }
            }
            catch (CryptographicException)
            {
                // A malformed key or signature counts as no signature.
            }
        }

        return counted.Count;
    }
}
