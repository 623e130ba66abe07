using System.Text;
using Iris.Camera.Media;
using Iris.Camera.Tests.Support;
using Iris.Camera.Vault;

namespace Iris.Camera.Tests.Forensics;

/// <summary>
/// What a forensic examiner does with a raw image: search it for known plaintext, and try every key found on it
/// (or known to the test) against every ciphertext header found on it. Files start at block boundaries on ext4,
/// but the carver does not rely on that: it looks for the formats' magic bytes at any offset.
/// </summary>
internal sealed class Carver(byte[] raw)
{
    private const int FileKeyLength = 4 + 1 + 32 + 16;
    private const int MaxSealedItem = 4096;

    public byte[] Raw { get; } = raw;

    public bool Contains(ReadOnlySpan<byte> needle) => Raw.AsSpan().IndexOf(needle) >= 0;

    public bool Contains(string text) => Contains(Encoding.UTF8.GetBytes(text));

    public IEnumerable<int> Find(byte[] needle)
    {
        for (var at = Raw.AsSpan().IndexOf(needle); at >= 0;)
        {
            yield return at;
            var next = Raw.AsSpan(at + 1).IndexOf(needle);
            at = next < 0 ? -1 : at + 1 + next;
        }
    }

    /// <summary>Every well-formed file storage key ("IRSK" + version + key + checksum) anywhere on the image, as providers.</summary>
    public IReadOnlyList<IStorageKeyProvider> FileKeysOnImage(TempDirectory scratch)
    {
        var providers = new List<IStorageKeyProvider>();
        foreach (var at in Find("IRSK\u0001"u8.ToArray()).Where(a => a + FileKeyLength <= Raw.Length))
        {
            if (FileKeyFrom(Raw.AsSpan(at, FileKeyLength), scratch) is { } provider)
            {
                providers.Add(provider);
            }
        }

        return providers;
    }

    /// <summary>A file key provider over candidate key-file content, or null when it is not a valid key file.</summary>
    public static IStorageKeyProvider? FileKeyFrom(ReadOnlySpan<byte> content, TempDirectory scratch)
    {
        var path = scratch.Combine("candidate-" + Guid.NewGuid().ToString("N") + ".key");
        File.WriteAllBytes(path, content.ToArray());
        try
        {
            return FileStorageKeyProvider.OpenOrCreate(path, sealedItemsExist: true);
        }
        catch (Iris.Camera.Platform.StartupException)
        {
            return null;
        }
    }

    /// <summary>
    /// The names of the sealed items (tried under every name in <paramref name="names"/>) that open with any of
    /// <paramref name="providers"/>, with their secrets.
    /// </summary>
    public IReadOnlyList<(string Name, byte[] Secret)> OpenSealedItems(IEnumerable<IStorageKeyProvider> providers, IReadOnlyList<string> names)
    {
        var opened = new List<(string, byte[])>();
        var providerList = providers.ToList();
        foreach (var at in Find("IRSV\u0001"u8.ToArray()))
        {
            var block = Raw.AsSpan(at, Math.Min(MaxSealedItem, Raw.Length - at));
            // Bytes past a file's end in its last block are zeros on ext4; the item's own last bytes may be
            // zeros too, so a few lengths past the trimmed end are tried.
            var end = block.LastIndexOfAnyExcept((byte)0) + 1;
            foreach (var provider in providerList)
            {
                foreach (var name in names)
                {
                    for (var length = end; length <= Math.Min(block.Length, end + 16); length++)
                    {
                        using var read = SealedItem.Open(name, block[..length], provider);
                        if (read.Status == VaultReadStatus.Ok)
                        {
                            opened.Add((name, read.Secret.ToArray()));
                            break;
                        }
                    }
                }
            }
        }

        return opened;
    }

    /// <summary>
    /// The ids (hex) of the segments of which at least one frame decrypts: every "IRSG" header on the image, with
    /// format-1 keys derived from each recordings key, and format-2 keys unwrapped from every place on the image
    /// where the segment id is followed by something the size of a wrapped key.
    /// </summary>
    public IReadOnlySet<string> DecryptableSegments(IReadOnlyList<byte[]> recordingsKeys)
    {
        var decrypted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var at in Find("IRSG"u8.ToArray()))
        {
            var file = Raw.AsSpan(at, Math.Min(4 * 1024 * 1024, Raw.Length - at));
            if (SegmentFormat.ParseHeader(file) is not { } header)
            {
                continue;
            }

            var id = Convert.ToHexStringLower(header.SegmentId);
            foreach (var key in SegmentKeys(header.Version, header.SegmentId, recordingsKeys))
            {
                if (SegmentFormat.Read(file, key).Frames.Count > 0)
                {
                    decrypted.Add(id);
                    break;
                }
            }
        }

        return decrypted;
    }

    /// <summary>Every database field key a data directory holds, opened with its own file key (what a reader of that disk gets).</summary>
    public static List<byte[]> FieldKeysIn(string dataDirectory)
    {
        var data = Iris.Camera.Storage.DataDirectory.Open(dataDirectory);
        using var file = FileStorageKeyProvider.OpenOrCreate(data.StorageKeyFile, sealedItemsExist: true);
        var vault = new SecretVault(data.VaultDirectory, file);
        var keys = new List<byte[]>();
        foreach (var item in vault.List().Where(n => n.StartsWith(VaultDataKeys.ItemPrefix, StringComparison.Ordinal)))
        {
            using var read = vault.Unseal(item);
            keys.Add(read.Secret.ToArray());
        }

        return keys;
    }

    /// <summary>
    /// Whether any sealed database field on the image (a BLOB column's bytes, or a TEXT column's base64) decrypts
    /// under any of <paramref name="dataKeys"/> to a value whose first 16 bytes contain <paramref name="needle"/>.
    /// A known-plaintext search, as an examiner who knows a name or an address does it: AES-GCM is counter mode, so
    /// the first ciphertext block decrypts without knowing the field's length; no tag needs to verify.
    /// </summary>
    public bool SealedFieldReveals(IEnumerable<byte[]> dataKeys, string needle)
    {
        const int Prefix = 1 + 12 + 16 + 16;
        var target = Encoding.UTF8.GetBytes(needle);
        // Only the first counter block is decrypted: a longer needle could never be found, and the test would pass vacuously.
        ArgumentOutOfRangeException.ThrowIfGreaterThan(target.Length, 16, nameof(needle));
        var ciphers = dataKeys.Select(key =>
        {
            var encryption = System.Security.Cryptography.HKDF.DeriveKey(System.Security.Cryptography.HashAlgorithmName.SHA256, key, 32, [], "iris-field/v1/encryption"u8.ToArray());
            var aes = System.Security.Cryptography.Aes.Create();
            aes.Key = encryption;
            return aes;
        }).ToList();
        try
        {
            var candidate = new byte[Prefix];
            for (var at = 0; at + Prefix <= Raw.Length; at++)
            {
                if (Raw[at] == 1 && Reveals(Raw.AsSpan(at, Prefix), ciphers, target))
                {
                    return true;
                }

                // A TEXT column: the base64 of the same bytes starts with 'A' (the format byte 0x01). Shorter values
                // end in padding, so the run is cut after its '=' and decoded as far as it goes.
                if (Raw[at] == (byte)'A' && Base64Prefix(at, candidate) is > 29 and var written && Reveals(candidate.AsSpan(0, written), ciphers, target))
                {
                    return true;
                }
            }

            return false;
        }
        finally
        {
            ciphers.ForEach(c => c.Dispose());
        }
    }

    /// <summary>Decodes up to 60 base64 characters at <paramref name="at"/> (through the first padding) into <paramref name="into"/>; returns the bytes written.</summary>
    private int Base64Prefix(int at, byte[] into)
    {
        var end = at;
        while (end < Raw.Length && end - at < 60 && (char.IsAsciiLetterOrDigit((char)Raw[end]) || Raw[end] is (byte)'+' or (byte)'/'))
        {
            end++;
        }

        while (end < Raw.Length && end - at < 60 && Raw[end] == (byte)'=')
        {
            end++;
        }

        var length = (end - at) / 4 * 4;
        return System.Buffers.Text.Base64.DecodeFromUtf8(Raw.AsSpan(at, length), into, out _, out var written) == System.Buffers.OperationStatus.Done ? written : 0;
    }

    private static bool Reveals(ReadOnlySpan<byte> sealedPrefix, List<System.Security.Cryptography.Aes> ciphers, byte[] target)
    {
        // GCM's first counter block for a 12-byte nonce is nonce | 00000002.
        Span<byte> counter = stackalloc byte[16];
        Span<byte> stream = stackalloc byte[16];
        Span<byte> plain = stackalloc byte[16];
        sealedPrefix.Slice(1, 12).CopyTo(counter);
        counter[15] = 2;
        foreach (var aes in ciphers)
        {
            aes.EncryptEcb(counter, stream, System.Security.Cryptography.PaddingMode.None);
            var length = Math.Min(16, sealedPrefix.Length - 29);
            for (var i = 0; i < length; i++)
            {
                plain[i] = (byte)(stream[i] ^ sealedPrefix[29 + i]);
            }

            if (plain[..length].IndexOf(target) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    private IEnumerable<byte[]> SegmentKeys(byte version, byte[] segmentId, IReadOnlyList<byte[]> recordingsKeys)
    {
        if (version == SegmentFormat.DerivedKeyVersion)
        {
            foreach (var key in recordingsKeys)
            {
                yield return key;
            }

            yield break;
        }

        foreach (var at in Find(segmentId).Where(a => a + 16 + SegmentKeyTable.WrappedLength <= Raw.Length))
        {
            var wrapped = Raw.AsSpan(at + 16, SegmentKeyTable.WrappedLength).ToArray();
            foreach (var key in recordingsKeys)
            {
                if (SegmentKeyTable.Unwrap(key, segmentId, wrapped) is { } segmentKey)
                {
                    yield return segmentKey;
                }
            }
        }
    }
}
