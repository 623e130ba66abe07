using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Iris.Camera.Link;

/// <summary>
/// Seals the remote-view stream end to end (docs/platform-protocol.md, "Relay"). The key is agreed with the
/// viewer's ephemeral P-256 key named in the signed command: ECDH with a fresh camera key, then HKDF-SHA-256
/// (empty salt; info binds protocol, session id, serial and direction) to an AES-256-GCM key used for this session
/// only. Each message is an 8-byte big-endian counter followed by ciphertext and tag; the nonce is the direction
/// (00 00 00 01) and the counter, which only rises, so no nonce repeats under a key; the session id is the
/// associated data. The relay forwards these messages and holds neither key.
/// </summary>
internal sealed class RemoteViewCipher : IDisposable
{
    public const byte Initialization = 1;
    public const byte Fragment = 2;
    public const int TagSize = 16;
    private const string P256 = "1.2.840.10045.3.1.7";

    private readonly AesGcm _aes;
    private readonly byte[] _associatedData;
    private ulong _counter;

    private RemoteViewCipher(byte[] key, string sessionId)
    {
        _aes = new AesGcm(key, TagSize);
        CryptographicOperations.ZeroMemory(key);
        _associatedData = Encoding.UTF8.GetBytes(sessionId);
    }

    /// <summary>The session's cipher and the camera's ephemeral public key (SPKI) for the viewer; null when the viewer key is not a P-256 public key.</summary>
    public static (RemoteViewCipher Cipher, byte[] CameraKey)? Agree(byte[] viewerKey, string sessionId, string serial)
    {
        using var theirs = ECDiffieHellman.Create();
        try
        {
            theirs.ImportSubjectPublicKeyInfo(viewerKey, out var read);
            if (read != viewerKey.Length || theirs.ExportParameters(false).Curve.Oid.Value != P256)
            {
                return null;
            }
        }
        catch (CryptographicException)
        {
            return null;
        }

        using var mine = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var shared = mine.DeriveRawSecretAgreement(theirs.PublicKey);
        var key = HKDF.DeriveKey(HashAlgorithmName.SHA256, shared, 32, [], Info(sessionId, serial));
        CryptographicOperations.ZeroMemory(shared);
        return (new RemoteViewCipher(key, sessionId), mine.ExportSubjectPublicKeyInfo());
    }

    /// <summary>HKDF info: "iris remote view v1" NUL session NUL serial NUL "camera-to-viewer".</summary>
    public static byte[] Info(string sessionId, string serial) => Encoding.UTF8.GetBytes($"iris remote view v1\0{sessionId}\0{serial}\0camera-to-viewer");

    /// <summary>One message: counter ‖ AES-256-GCM(kind ‖ body) ‖ tag.</summary>
    public byte[] Seal(byte kind, ReadOnlySpan<byte> body)
    {
        var counter = _counter++;
        var message = new byte[8 + 1 + body.Length + TagSize];
        BinaryPrimitives.WriteUInt64BigEndian(message, counter);
        var plain = new byte[1 + body.Length];
        plain[0] = kind;
        body.CopyTo(plain.AsSpan(1));
        Span<byte> nonce = stackalloc byte[12];
        nonce[3] = 1;
        BinaryPrimitives.WriteUInt64BigEndian(nonce[4..], counter);
        _aes.Encrypt(nonce, plain, message.AsSpan(8, plain.Length), message.AsSpan(8 + plain.Length), _associatedData);
        return message;
    }

    public void Dispose() => _aes.Dispose();
}
