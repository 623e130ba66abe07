using System.Security.Cryptography;
using Iris.Firmware.Payload;

namespace Iris.Firmware.Tests.Payload;

/// <summary>
/// The encrypted update payload (IoT-1005-1 5.3.1.2, 5.4.1.1): every attack on the chunks is refused before a
/// byte of the bad chunk reaches the slot.
/// </summary>
public sealed class PayloadTests
{
    private const int ChunkSize = 4096;
    private static readonly byte[] ReleaseKey = RandomNumberGenerator.GetBytes(32);

    [Theory]
    [InlineData(1)]
    [InlineData(ChunkSize)]
    [InlineData((ChunkSize * 5) + 123)]
    public async Task Payload_RoundTrips_Exactly(int length)
    {
        var (plaintext, payload, sealedPayload) = await SealAsync(length);

        var (result, written) = await OpenAsync(payload, sealedPayload);

        Assert.True(result.Succeeded, result.Reason);
        Assert.Equal(plaintext, written);
        // The plaintext does not appear in the payload. (A needle of a byte or two turns up in any random bytes,
        // so the one-byte case cannot be checked this way.)
        if (length >= 16)
        {
            Assert.Equal(-1, payload.AsSpan().IndexOf(plaintext.AsSpan(0, Math.Min(64, length))));
        }
    }

    [Fact]
    public async Task TamperedChunk_IsRefused_AndNothingOfItIsWritten()
    {
        var (plaintext, payload, sealedPayload) = await SealAsync(ChunkSize * 4);
        payload[PayloadFormat.HeaderLength + (2 * (ChunkSize + 16)) + 100] ^= 0x01;

        var (result, written) = await OpenAsync(payload, sealedPayload);

        Assert.Equal(PayloadError.ChunkHashMismatch, result.Error);
        Assert.Equal(plaintext[..(2 * ChunkSize)], written);
    }

    [Fact]
    public async Task SwappedChunks_AreRefused()
    {
        var (_, payload, sealedPayload) = await SealAsync(ChunkSize * 3);
        var first = PayloadFormat.HeaderLength;
        var second = first + ChunkSize + 16;
        var a = payload.AsSpan(first, ChunkSize + 16).ToArray();
        payload.AsSpan(second, ChunkSize + 16).CopyTo(payload.AsSpan(first));
        a.CopyTo(payload.AsSpan(second));

        var (result, written) = await OpenAsync(payload, sealedPayload);

        Assert.Equal(PayloadError.ChunkHashMismatch, result.Error);
        Assert.Empty(written);
    }

    [Fact]
    public async Task TruncatedPayload_IsRefused()
    {
        var (_, payload, sealedPayload) = await SealAsync(ChunkSize * 3);

        var (result, _) = await OpenAsync(payload[..^10], sealedPayload);

        Assert.Equal(PayloadError.Truncated, result.Error);
    }

    [Fact]
    public async Task DataAfterTheLastChunk_IsRefused()
    {
        var (_, payload, sealedPayload) = await SealAsync(ChunkSize * 2);

        var (result, _) = await OpenAsync([.. payload, 0x00], sealedPayload);

        Assert.Equal(PayloadError.TooLong, result.Error);
    }

    [Fact]
    public async Task WrongKey_IsRefusedAtTheFirstChunk()
    {
        var (_, payload, sealedPayload) = await SealAsync(ChunkSize * 2);

        var (result, written) = await OpenAsync(payload, sealedPayload, key: RandomNumberGenerator.GetBytes(32));

        Assert.Equal(PayloadError.ChunkAuthenticationFailed, result.Error);
        Assert.Empty(written);
    }

    [Fact]
    public async Task ForgedChunkList_IsRefusedBeforeReading()
    {
        var (_, payload, sealedPayload) = await SealAsync(ChunkSize * 2);
        var forged = (byte[])sealedPayload.ChunkList.Clone();
        forged[0] ^= 0x01;

        var (result, _) = await OpenAsync(payload, sealedPayload with { ChunkList = forged });

        Assert.Equal(PayloadError.ChunkListMismatch, result.Error);
    }

    [Fact]
    public async Task PayloadOfAnotherBundle_IsRefused()
    {
        var (_, payload, _) = await SealAsync(ChunkSize * 2);
        var (_, _, other) = await SealAsync(ChunkSize * 2);

        var (result, _) = await OpenAsync(payload, other);

        Assert.True(result.Error is PayloadError.WrongBundle or PayloadError.ChunkListMismatch, result.Error.ToString());
    }

    [Fact]
    public async Task PayloadLongerThanTheSignedLength_IsRefusedBeforeDownloadingIt()
    {
        var (_, payload, sealedPayload) = await SealAsync(ChunkSize * 4);

        var (result, written) = await OpenAsync(payload, sealedPayload, maxLength: sealedPayload.PayloadLength - 1);

        Assert.Equal(PayloadError.TooLong, result.Error);
        Assert.Empty(written);
    }

    [Fact]
    public void TreeRoot_DependsOnOrderAndEveryLeaf()
    {
        var leaves = Enumerable.Range(0, 5).Select(_ => RandomNumberGenerator.GetBytes(32)).ToList();
        var root = PayloadFormat.TreeRoot(leaves);

        Assert.NotEqual(root, PayloadFormat.TreeRoot([leaves[1], leaves[0], .. leaves.Skip(2)]));
        Assert.NotEqual(root, PayloadFormat.TreeRoot(leaves.Take(4).ToList()));
        Assert.Equal(root, PayloadFormat.TreeRoot(leaves.Select(l => (byte[])l.Clone()).ToList()));
    }

    private static async Task<(byte[] Plaintext, byte[] Payload, SealedPayload Sealed)> SealAsync(int length)
    {
        var plaintext = RandomNumberGenerator.GetBytes(length);
        using var output = new MemoryStream();
        var sealedPayload = await PayloadEncryptor.EncryptAsync(new MemoryStream(plaintext), length, output, ReleaseKey, ChunkSize);
        return (plaintext, output.ToArray(), sealedPayload);
    }

    private static async Task<(PayloadResult Result, byte[] Written)> OpenAsync(byte[] payload, SealedPayload sealedPayload, byte[]? key = null, long? maxLength = null)
    {
        using var destination = new MemoryStream();
        var result = await PayloadReader.DecryptAsync(new MemoryStream(payload), destination, key ?? ReleaseKey,
            sealedPayload.BundleId, sealedPayload.TreeRoot, sealedPayload.ChunkList, maxLength ?? sealedPayload.PayloadLength);
        return (result, destination.ToArray());
    }
}
