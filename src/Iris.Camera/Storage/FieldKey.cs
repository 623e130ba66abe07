using System.Security.Cryptography;
using System.Text;

namespace Iris.Camera.Storage;

/// <summary>
/// Named AES-256 data keys for the database's personal columns. Storage only names the contract: the keys are
/// sealed and destroyed by the vault (registered by the Vault module), so modules below the vault in the layer
/// table (Events, Telemetry) can encrypt their fields without depending on it.
/// </summary>
internal interface IDataKeys
{
    /// <summary>The key named, made on first use. Shared and cached: the caller neither keeps nor disposes it.</summary>
    FieldKey Get(string name);

    /// <summary>The key named when it exists, else null (never makes one: a destroyed key stays destroyed).</summary>
    FieldKey? Find(string name);

    /// <summary>
    /// Destroys the key: its sealed item is overwritten in place and unlinked, so every field sealed with it, in the
    /// database, the WAL or any free block, can never be opened again. The next <see cref="Get"/> makes a new key.
    /// </summary>
    void Destroy(string name);

    /// <summary>The names of the keys that exist and start with <paramref name="prefix"/>, in ordinal order.</summary>
    IReadOnlyList<string> Names(string prefix);
}

/// <summary>
/// Encryption of one database field (AES-256-GCM) and its blind index (HMAC-SHA-256), from one data key through
/// HKDF-SHA-256 into two independent subkeys. A sealed field is <c>0x01 | nonce (12) | tag (16) | ciphertext</c>,
/// with a context string (table, column, and the row's stable identity where it has one) as associated data, so a
/// sealed value copied into another column or row fails to open instead of reading as the wrong person's data.
/// </summary>
internal sealed class FieldKey : IDisposable
{
    private const byte Format = 1;
    private const int NonceLength = 12;
    private const int TagLength = 16;
    private readonly byte[] _encryption;
    private readonly byte[] _index;

    public FieldKey(ReadOnlySpan<byte> dataKey)
    {
        if (dataKey.Length != 32)
        {
            throw new ArgumentException("A field key is 32 bytes.", nameof(dataKey));
        }

        _encryption = new byte[32];
        _index = new byte[32];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, dataKey, _encryption, [], "iris-field/v1/encryption"u8);
        HKDF.DeriveKey(HashAlgorithmName.SHA256, dataKey, _index, [], "iris-field/v1/blind-index"u8);
    }

    public byte[] Seal(ReadOnlySpan<byte> plaintext, string context)
    {
        var sealedField = new byte[1 + NonceLength + TagLength + plaintext.Length];
        sealedField[0] = Format;
        var nonce = sealedField.AsSpan(1, NonceLength);
        RandomNumberGenerator.Fill(nonce);
        using var aead = new AesGcm(_encryption, TagLength);
        aead.Encrypt(nonce, plaintext, sealedField.AsSpan(1 + NonceLength + TagLength), sealedField.AsSpan(1 + NonceLength, TagLength), Encoding.UTF8.GetBytes(context));
        return sealedField;
    }

    /// <summary>The plaintext, or null when the bytes are not a field sealed with this key in this context.</summary>
    public byte[]? Open(ReadOnlySpan<byte> sealedField, string context)
    {
        if (sealedField.Length < 1 + NonceLength + TagLength || sealedField[0] != Format)
        {
            return null;
        }

        var plaintext = new byte[sealedField.Length - 1 - NonceLength - TagLength];
        using var aead = new AesGcm(_encryption, TagLength);
        try
        {
            aead.Decrypt(sealedField.Slice(1, NonceLength), sealedField[(1 + NonceLength + TagLength)..], sealedField.Slice(1 + NonceLength, TagLength),
                plaintext, Encoding.UTF8.GetBytes(context));
            return plaintext;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }

    /// <summary>A text field sealed for a TEXT column (base64 of <see cref="Seal"/>); null stays null.</summary>
    public string? SealText(string? value, string context) =>
        value is null ? null : Convert.ToBase64String(Seal(Encoding.UTF8.GetBytes(value), context));

    /// <summary>The text of a sealed TEXT column, or null when it is null, not base64 or does not open.</summary>
    public string? OpenText(string? stored, string context)
    {
        if (stored is null)
        {
            return null;
        }

        var bytes = new byte[stored.Length];
        if (!Convert.TryFromBase64String(stored, bytes, out var length))
        {
            return null;
        }

        return Open(bytes.AsSpan(0, length), context) is { } plaintext ? Encoding.UTF8.GetString(plaintext) : null;
    }

    /// <summary>
    /// The blind index of a value: HMAC-SHA-256 under the index subkey, in lowercase hex, so equality lookups
    /// (a username, an address) work without the value being stored. Deterministic by design: it confirms a guess
    /// only to someone holding this key.
    /// </summary>
    public string Index(string value, string context) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_index, Encoding.UTF8.GetBytes(context + "\0" + value)));

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_encryption);
        CryptographicOperations.ZeroMemory(_index);
    }
}
