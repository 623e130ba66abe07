using System.Security.Cryptography;

namespace Iris.Firmware.Payload;

public enum PayloadError
{
    None,
    BadHeader,
    ChunkListMismatch,
    WrongBundle,
    TooLong,
    Truncated,
    ChunkHashMismatch,
    ChunkAuthenticationFailed,
}

/// <summary>The outcome of installing a payload: how much was written, or why it stopped.</summary>
public sealed record PayloadResult(PayloadError Error, long PlaintextWritten, string Reason)
{
    public bool Succeeded => Error == PayloadError.None;
}

/// <summary>
/// Device side: streams an encrypted payload into a destination, authenticating every chunk (against the chunk
/// list pinned by the signed metadata, then by AES-GCM) before any byte of it is written. Memory stays at two
/// chunks plus the chunk list (32 bytes a chunk), whatever the payload size. Bad input is a result, not an
/// exception.
/// </summary>
public static class PayloadReader
{
    public static async Task<PayloadResult> DecryptAsync(Stream payload, Stream destination, ReadOnlyMemory<byte> releaseKey,
        ReadOnlyMemory<byte> expectedBundleId, ReadOnlyMemory<byte> expectedTreeRoot, ReadOnlyMemory<byte> chunkList, long maxPayloadLength,
        CancellationToken cancellationToken = default)
    {
        if (chunkList.Length == 0 || chunkList.Length % 32 != 0)
        {
            return Fail(PayloadError.ChunkListMismatch, 0, "chunk list has the wrong length");
        }

        var leaves = Enumerable.Range(0, chunkList.Length / 32).Select(i => chunkList.Slice(i * 32, 32).ToArray()).ToList();
        if (!CryptographicOperations.FixedTimeEquals(PayloadFormat.TreeRoot(leaves), expectedTreeRoot.Span))
        {
            return Fail(PayloadError.ChunkListMismatch, 0, "chunk list does not match the signed tree root");
        }

        var headerBytes = new byte[PayloadFormat.HeaderLength];
        if (await ReadFullyAsync(payload, headerBytes, cancellationToken) < headerBytes.Length || PayloadFormat.ParseHeader(headerBytes) is not { } header)
        {
            return Fail(PayloadError.BadHeader, 0, "not an Iris payload header");
        }

        if (!CryptographicOperations.FixedTimeEquals(header.BundleId, expectedBundleId.Span))
        {
            return Fail(PayloadError.WrongBundle, 0, "payload belongs to another bundle");
        }

        if (header.ChunkCount != leaves.Count)
        {
            return Fail(PayloadError.ChunkListMismatch, 0, "chunk count differs from the signed chunk list");
        }

        var total = PayloadFormat.HeaderLength + header.PlaintextLength + (header.ChunkCount * PayloadFormat.TagLength);
        if (total > maxPayloadLength)
        {
            return Fail(PayloadError.TooLong, 0, "payload is longer than the signed length");
        }

        using var aead = new AesGcm(releaseKey.Span, PayloadFormat.TagLength);
        // Two chunk buffers: while chunk i is decrypted and written, chunk i+1 is read and its leaf hash checked
        // on another core. Each chunk is still fully checked (list, then AES-GCM) before any of it is written.
        // A chunk is decrypted in place (AES-GCM allows the same buffer for both): no third chunk-sized buffer, and
        // its plaintext is written out before the buffer takes chunk i+2.
        byte[][] buffers = [new byte[header.ChunkSize + PayloadFormat.TagLength], new byte[header.ChunkSize + PayloadFormat.TagLength]];
        var nonce = new byte[PayloadFormat.NonceLength];
        var associatedData = new byte[PayloadFormat.AssociatedDataLength];
        // Reads are sequential (one pending at a time), so one hash object serves them all.
        using var leafHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long written = 0;
        Task<PayloadResult?>? pending = null;
        try
        {
            pending = ReadChunkAsync(payload, header, leaves, leafHash, 0, buffers[0], 0, cancellationToken);
            for (long index = 0; index < header.ChunkCount; index++)
            {
                var failure = await pending!;
                pending = null;
                if (failure is not null)
                {
                    return failure with { PlaintextWritten = written };
                }

                if (index + 1 < header.ChunkCount)
                {
                    var next = index + 1;
                    pending = Task.Run(() => ReadChunkAsync(payload, header, leaves, leafHash, next, buffers[next % 2], written, cancellationToken), cancellationToken);
                }

                var length = header.CiphertextLength(index);
                var chunk = buffers[index % 2].AsMemory(0, length + PayloadFormat.TagLength);
                try
                {
                    PayloadFormat.WriteNonce(index, nonce);
                    PayloadFormat.WriteAssociatedData(header.BundleId, index, header.ChunkCount, associatedData);
                    aead.Decrypt(nonce, chunk.Span[..length], chunk.Span.Slice(length, PayloadFormat.TagLength), chunk.Span[..length], associatedData);
                }
                catch (AuthenticationTagMismatchException)
                {
                    return Fail(PayloadError.ChunkAuthenticationFailed, written, $"chunk {index} failed authentication (wrong key or damaged)");
                }

                await destination.WriteAsync(chunk[..length], cancellationToken);
                written += length;
            }

            // Anything after the last chunk is an endless-data attack or damage.
            if (await payload.ReadAsync(new byte[1], cancellationToken) != 0)
            {
                return Fail(PayloadError.TooLong, written, "data follows the last chunk");
            }

            return new PayloadResult(PayloadError.None, written, "ok");
        }
        finally
        {
            if (pending is not null)
            {
                // Never leave a read running on the caller's stream.
                try
                {
                    await pending;
                }
                catch (Exception e) when (e is IOException or OperationCanceledException)
                {
                }
            }

            CryptographicOperations.ZeroMemory(buffers[0]);
            CryptographicOperations.ZeroMemory(buffers[1]);
        }
    }

    /// <summary>Reads chunk <paramref name="index"/> into <paramref name="buffer"/> and checks its leaf hash; null when it is good.</summary>
    private static async Task<PayloadResult?> ReadChunkAsync(Stream payload, PayloadHeader header, List<byte[]> leaves, IncrementalHash leafHash, long index,
        byte[] buffer, long written, CancellationToken cancellationToken)
    {
        var length = header.CiphertextLength(index);
        var chunk = buffer.AsMemory(0, length + PayloadFormat.TagLength);
        if (await ReadFullyAsync(payload, chunk, cancellationToken) < chunk.Length)
        {
            return Fail(PayloadError.Truncated, written, $"payload ends inside chunk {index}");
        }

        Span<byte> leaf = stackalloc byte[32];
        PayloadFormat.LeafHash(leafHash, index, chunk.Span, leaf);
        return CryptographicOperations.FixedTimeEquals(leaf, leaves[(int)index])
            ? null
            : Fail(PayloadError.ChunkHashMismatch, written, $"chunk {index} is not the chunk the metadata names");
    }

    private static PayloadResult Fail(PayloadError error, long written, string reason) => new(error, written, reason);

    private static async Task<int> ReadFullyAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer[total..], cancellationToken);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }
}
