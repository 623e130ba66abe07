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
