using System.Security.Cryptography;
using Iris.Camera.Vault;

namespace Iris.Camera.Media;

/// <summary>
/// Holds the recordings master key (vault item <c>recordings-key</c>): created on first use, unsealed once and
/// kept in memory, destroyed by "delete all" so that no copy of an old segment can be decrypted again. Segment
/// keys are derived from it per segment (<see cref="SegmentFormat.DeriveSegmentKey"/>).
/// </summary>
internal sealed class RecordingsKey(SecretVault vault) : IDisposable
{
    public const string VaultItem = "recordings-key";
    private readonly Lock _lock = new();
    private SecretBuffer? _key;

    /// <summary>The key of one segment (HKDF of the master key with the segment id); the caller zeroes it after use.</summary>
    public byte[] DeriveSegmentKey(ReadOnlySpan<byte> segmentId)
    {
        lock (_lock)
        {
            return SegmentFormat.DeriveSegmentKey(MasterKeyLocked().Span, segmentId);
        }
    }

    /// <summary>Reads every record of a segment file's content that authenticates under the master key.</summary>
    public (List<RecordedFrame> Frames, SegmentFormat.ReadProblem Problem, long ValidLength) Open(ReadOnlySpan<byte> content)
    {
        byte[] copy;
        lock (_lock)
        {
            // A copy, so that Destroy may zero the held key while a long read is still running.
            copy = MasterKeyLocked().Span.ToArray();
        }

        try
        {
            return SegmentFormat.Read(content, copy);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(copy);
        }
    }

    /// <summary>Forgets the key in memory and deletes it from the vault; the next segment gets a new key.</summary>
    public void Destroy()
    {
        lock (_lock)
        {
            Forget();
            vault.Delete(VaultItem);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            Forget();
        }
    }

    /// <summary>
    /// Unsealed once, then kept. A damaged sealed key is an error, never replaced by a new one: that would
    /// silently make every existing segment unreadable.
    /// </summary>
    private SecretBuffer MasterKeyLocked()
    {
        if (_key is not null)
        {
            return _key;
        }

        using var read = vault.Unseal(VaultItem);
        if (read.Status == VaultReadStatus.Corrupt)
        {
            throw new CryptographicException($"The recordings key cannot be unsealed: {read.Failure}");
        }

        if (read.Status == VaultReadStatus.Ok)
        {
            _key = read.TakeSecret();
        }
        else
        {
            _key = SecretBuffer.Random(32);
            vault.Seal(VaultItem, _key.Span);
        }

        return _key;
    }

    private void Forget()
    {
        _key?.Dispose();
        _key = null;
    }
}
