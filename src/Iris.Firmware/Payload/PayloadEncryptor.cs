using System.Security.Cryptography;

namespace Iris.Firmware.Payload;

/// <summary>What the factory pins in the signed metadata for one encrypted payload.</summary>
public sealed record SealedPayload(byte[] BundleId, long PayloadLength, byte[] TreeRoot, byte[] ChunkList);

/// <summary>Factory side: encrypts a payload stream chunk by chunk; memory stays at one chunk whatever the size.</summary>
public static class PayloadEncryptor
{
    public static async Task<SealedPayload> EncryptAsync(Stream plaintext, long plaintextLength, Stream output, ReadOnlyMemory<byte> releaseKey,
        int chunkSize = PayloadFormat.DefaultChunkSize, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(plaintextLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 4096);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chunkSize, PayloadFormat.MaxChunkSize);
        var bundleId = RandomNumberGenerator.GetBytes(16);
        var chunkCount = (plaintextLength + chunkSize - 1) / chunkSize;
        var header = PayloadFormat.Header(bundleId, chunkSize, chunkCount, plaintextLength);
        await output.WriteAsync(header, cancellationToken);

        using var aead = new AesGcm(releaseKey.Span, PayloadFormat.TagLength);
        var plain = new byte[chunkSize];
        var sealedChunk = new byte[chunkSize + PayloadFormat.TagLength];
        var leaves = new List<byte[]>((int)chunkCount);
        long written = header.Length;
        for (long index = 0; index < chunkCount; index++)
        {
            var length = (int)Math.Min(chunkSize, plaintextLength - (index * chunkSize));
            await plaintext.ReadExactlyAsync(plain.AsMemory(0, length), cancellationToken);
            aead.Encrypt(PayloadFormat.Nonce(index), plain.AsSpan(0, length), sealedChunk.AsSpan(0, length),
                sealedChunk.AsSpan(length, PayloadFormat.TagLength), PayloadFormat.AssociatedData(bundleId, index, chunkCount));
            var chunk = sealedChunk.AsMemory(0, length + PayloadFormat.TagLength);
            leaves.Add(PayloadFormat.LeafHash(index, chunk.Span));
            await output.WriteAsync(chunk, cancellationToken);
            written += chunk.Length;
        }

        CryptographicOperations.ZeroMemory(plain);
        var chunkList = leaves.SelectMany(l => l).ToArray();
        return new SealedPayload(bundleId, written, PayloadFormat.TreeRoot(leaves), chunkList);
    }
}
