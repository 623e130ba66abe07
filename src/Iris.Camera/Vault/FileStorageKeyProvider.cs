using System.Security.Cryptography;
using Iris.Camera.Platform;

namespace Iris.Camera.Vault;

/// <summary>
/// Storage key in a file of the data directory (mode 0600), for boards without a secure element.
/// File layout: "IRSK" | version 1 | 32 key bytes | first 16 bytes of SHA-256 over the preceding bytes,
/// so a damaged key file is reported as such instead of making every sealed item look corrupt.
/// </summary>
internal sealed class FileStorageKeyProvider : IStorageKeyProvider, IDisposable
{
    public const string ProviderId = "file";
    private const int KeyLength = 32;
    private const int NonceLength = 12;
    private const int TagLength = 16;
    private static ReadOnlySpan<byte> Magic => "IRSK"u8;
    private const byte FormatVersion = 1;
    private const int ChecksumLength = 16;
    private const int FileLength = 4 + 1 + KeyLength + ChecksumLength;

    private readonly AesGcm _aead;

    private FileStorageKeyProvider(byte[] key)
    {
        _aead = new AesGcm(key, TagLength);
        CryptographicOperations.ZeroMemory(key);
    }

    public string Id => ProviderId;

    /// <summary>
    /// Opens the key file, creating a new random key only when no sealed item could depend on an older one.
    /// </summary>
    public static FileStorageKeyProvider OpenOrCreate(string keyFile, bool sealedItemsExist)
    {
        AtomicFile.RemoveInterruptedWrites(Path.GetDirectoryName(Path.GetFullPath(keyFile))!);
        if (!File.Exists(keyFile))
        {
            if (sealedItemsExist)
            {
                throw new StartupException(
                    $"The storage key file '{keyFile}' is missing but sealed items exist; they cannot be opened. " +
                    "Restore the key file or factory-reset the device.");
            }

            Directory.CreateDirectory(Path.GetDirectoryName(keyFile)!, AtomicFile.OwnerOnly | UnixFileMode.UserExecute);
            var fresh = RandomNumberGenerator.GetBytes(KeyLength);
            var content = Encode(fresh);
            AtomicFile.Write(keyFile, content);
            CryptographicOperations.ZeroMemory(content);
            return new FileStorageKeyProvider(fresh);
        }

        var bytes = File.ReadAllBytes(keyFile);
        try
        {
            var key = Decode(bytes) ?? throw new StartupException(
                $"The storage key file '{keyFile}' is damaged (wrong length, format or checksum).");
            return new FileStorageKeyProvider(key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    public byte[] WrapDataKey(ReadOnlySpan<byte> dataKey, ReadOnlySpan<byte> context)
    {
        var wrapped = new byte[NonceLength + TagLength + dataKey.Length];
        var nonce = wrapped.AsSpan(0, NonceLength);
        RandomNumberGenerator.Fill(nonce);
        _aead.Encrypt(nonce, dataKey, wrapped.AsSpan(NonceLength + TagLength), wrapped.AsSpan(NonceLength, TagLength), context);
        return wrapped;
    }

    public byte[]? UnwrapDataKey(ReadOnlySpan<byte> wrappedKey, ReadOnlySpan<byte> context)
    {
        if (wrappedKey.Length <= NonceLength + TagLength)
        {
            return null;
        }

        var dataKey = new byte[wrappedKey.Length - NonceLength - TagLength];
        try
        {
            _aead.Decrypt(
                wrappedKey[..NonceLength],
                wrappedKey[(NonceLength + TagLength)..],
                wrappedKey.Slice(NonceLength, TagLength),
                dataKey,
                context);
            return dataKey;
        }
        catch (AuthenticationTagMismatchException)
        {
            CryptographicOperations.ZeroMemory(dataKey);
            return null;
        }
    }

    public void Dispose() => _aead.Dispose();

    private static byte[] Encode(ReadOnlySpan<byte> key)
    {
        var content = new byte[FileLength];
        Magic.CopyTo(content);
        content[4] = FormatVersion;
        key.CopyTo(content.AsSpan(5));
        SHA256.HashData(content.AsSpan(0, 5 + KeyLength))[..ChecksumLength].CopyTo(content.AsSpan(5 + KeyLength));
        return content;
    }

    private static byte[]? Decode(ReadOnlySpan<byte> content)
    {
        if (content.Length != FileLength || !content[..4].SequenceEqual(Magic) || content[4] != FormatVersion)
        {
            return null;
        }

        Span<byte> expected = stackalloc byte[32];
        SHA256.HashData(content[..(5 + KeyLength)], expected);
        if (!CryptographicOperations.FixedTimeEquals(expected[..ChecksumLength], content[(5 + KeyLength)..]))
        {
            return null;
        }

        return content.Slice(5, KeyLength).ToArray();
    }
}
