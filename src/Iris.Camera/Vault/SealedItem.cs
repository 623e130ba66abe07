using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Iris.Camera.Vault;

/// <summary>
/// The on-disk envelope of one sealed secret (format 1):
/// <code>
/// "IRSV" | 0x01 | provider id length (1) | provider id | wrapped data key length (2, big endian) | wrapped data key
///        | nonce (12) | tag (16) | ciphertext
/// </code>
/// Every item has its own random AES-256 data key, wrapped by the storage key provider with the item name as
/// context. The payload's associated data is the item name and the whole header, so an item copied under another
/// name, or with a swapped wrapped key or provider id, fails authentication.
/// </summary>
internal static class SealedItem
{
    private static ReadOnlySpan<byte> Magic => "IRSV"u8;
    private const byte FormatVersion = 1;
    private const int DataKeyLength = 32;
    private const int NonceLength = 12;
    private const int TagLength = 16;
    private const int MaxProviderIdLength = 32;

    public static byte[] Seal(string name, ReadOnlySpan<byte> secret, IStorageKeyProvider provider)
    {
        var providerId = Encoding.ASCII.GetBytes(provider.Id);
        if (providerId.Length is 0 or > MaxProviderIdLength)
        {
            throw new InvalidOperationException("Provider id must be 1 to 32 ASCII characters.");
        }

        var dataKey = RandomNumberGenerator.GetBytes(DataKeyLength);
        try
        {
            var wrappedKey = provider.WrapDataKey(dataKey, WrapContext(name));
            var headerLength = 4 + 1 + 1 + providerId.Length + 2 + wrappedKey.Length;
            var item = new byte[headerLength + NonceLength + TagLength + secret.Length];

            var span = item.AsSpan();
            Magic.CopyTo(span);
            span[4] = FormatVersion;
            span[5] = (byte)providerId.Length;
            providerId.CopyTo(span[6..]);
            var offset = 6 + providerId.Length;
            BinaryPrimitives.WriteUInt16BigEndian(span[offset..], checked((ushort)wrappedKey.Length));
            wrappedKey.CopyTo(span[(offset + 2)..]);

            var nonce = span.Slice(headerLength, NonceLength);
            RandomNumberGenerator.Fill(nonce);
            var tag = span.Slice(headerLength + NonceLength, TagLength);
            var ciphertext = span[(headerLength + NonceLength + TagLength)..];
            using var aead = new AesGcm(dataKey, TagLength);
            aead.Encrypt(nonce, secret, ciphertext, tag, PayloadAssociatedData(name, span[..headerLength]));
            return item;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>The id of the provider that sealed an item, or null when the header is not readable.</summary>
    public static string? ProviderIdOf(ReadOnlySpan<byte> item)
    {
        if (item.Length < 6 || !item[..4].SequenceEqual(Magic) || item[4] != FormatVersion || item[5] is 0 or > MaxProviderIdLength || item.Length < 6 + item[5])
        {
            return null;
        }

        return Encoding.ASCII.GetString(item.Slice(6, item[5]));
    }

    /// <summary>Opens an item; any damage, truncation or mismatch yields a failure reason, never garbage.</summary>
    public static VaultRead Open(string name, ReadOnlySpan<byte> item, IStorageKeyProvider provider)
    {
        if (item.Length < 6 || !item[..4].SequenceEqual(Magic))
        {
            return VaultRead.Corrupt("not a sealed item (bad magic or too short)");
        }

        if (item[4] != FormatVersion)
        {
            return VaultRead.Corrupt($"unknown sealed item format {item[4]}");
        }

        var providerIdLength = item[5];
        var offset = 6 + providerIdLength;
        if (providerIdLength is 0 or > MaxProviderIdLength || item.Length < offset + 2)
        {
            return VaultRead.Corrupt("truncated header");
        }

        var providerId = Encoding.ASCII.GetString(item.Slice(6, providerIdLength));
        if (!string.Equals(providerId, provider.Id, StringComparison.Ordinal))
        {
            return VaultRead.Corrupt($"sealed by key provider '{providerId}', but '{provider.Id}' is configured");
        }

        var wrappedKeyLength = BinaryPrimitives.ReadUInt16BigEndian(item[offset..]);
        var headerLength = offset + 2 + wrappedKeyLength;
        if (item.Length < headerLength + NonceLength + TagLength)
        {
            return VaultRead.Corrupt("truncated");
        }

        var dataKey = provider.UnwrapDataKey(item.Slice(offset + 2, wrappedKeyLength), WrapContext(name));
        if (dataKey is null)
        {
            return VaultRead.Corrupt("data key failed authentication (damaged item, wrong name or wrong storage key)");
        }

        try
        {
            if (dataKey.Length != DataKeyLength)
            {
                return VaultRead.Corrupt("data key has the wrong length");
            }

            var nonce = item.Slice(headerLength, NonceLength);
            var tag = item.Slice(headerLength + NonceLength, TagLength);
            var ciphertext = item[(headerLength + NonceLength + TagLength)..];
            // Decrypted straight into a pinned buffer that zeroes itself; no unpinned copy of the secret exists.
            var secret = SecretBuffer.Allocate(ciphertext.Length, out var plaintext);
            using var aead = new AesGcm(dataKey, TagLength);
            try
            {
                aead.Decrypt(nonce, ciphertext, tag, plaintext, PayloadAssociatedData(name, item[..headerLength]));
            }
            catch (AuthenticationTagMismatchException)
            {
                secret.Dispose();
                return VaultRead.Corrupt("payload failed authentication");
            }

            return VaultRead.Ok(secret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    private static byte[] WrapContext(string name) => Encoding.UTF8.GetBytes("iris-vault/v1/data-key\0" + name);

    private static byte[] PayloadAssociatedData(string name, ReadOnlySpan<byte> header)
    {
        var prefix = Encoding.UTF8.GetBytes("iris-vault/v1/payload\0" + name + "\0");
        var data = new byte[prefix.Length + header.Length];
        prefix.CopyTo(data, 0);
        header.CopyTo(data.AsSpan(prefix.Length));
        return data;
    }
}
