using System.Security.Cryptography;
using Iris.Camera.Media;

namespace Iris.Camera.Tests.Media;

/// <summary>Encrypted segments: ciphertext on disk, exact round trip, damage detected, torn tails cut off.</summary>
public sealed class SegmentFormatTests
{
    private static readonly byte[] MasterKey = RandomNumberGenerator.GetBytes(32);

    [Fact]
    public void Segment_HoldsNoJpegMarker_AndDecryptsToTheExactFrames()
    {
        var (file, frames) = Build(5);

        Assert.Equal(-1, file.AsSpan().IndexOf(new byte[] { 0xFF, 0xD8, 0xFF }));
        var read = SegmentFormat.Read(file, MasterKey);
        Assert.Equal(SegmentFormat.ReadProblem.None, read.Problem);
        Assert.Equal(frames.Select(f => f.Jpeg), read.Frames.Select(f => f.Jpeg));
        Assert.Equal(frames.Select(f => f.CapturedAt), read.Frames.Select(f => f.CapturedAt));
    }

    [Fact]
    public void FlippedByteInsideTheSegment_IsDetectedAsDamage()
    {
        var (file, _) = Build(5);
        for (var position = SegmentFormat.HeaderLength; position < file.Length - 200; position += 97)
        {
            var damaged = (byte[])file.Clone();
            damaged[position] ^= 0x04;

            var read = SegmentFormat.Read(damaged, MasterKey);

            Assert.NotEqual(SegmentFormat.ReadProblem.None, read.Problem);
            Assert.True(read.Frames.Count < 5, $"flip at {position} went unnoticed");
        }
    }

    [Fact]
    public void TornTail_KeepsEveryWholeFrameBeforeIt()
    {
        var (file, _) = Build(5);
        var whole = SegmentFormat.Read(file, MasterKey);
        var recordLength = (file.Length - SegmentFormat.HeaderLength) / 5;

        var torn = SegmentFormat.Read(file.AsSpan(0, file.Length - (recordLength / 2)), MasterKey);

        Assert.Equal(SegmentFormat.ReadProblem.TornTail, torn.Problem);
        Assert.Equal(4, torn.Frames.Count);
        Assert.Equal(whole.Frames.Take(4).Select(f => f.Jpeg), torn.Frames.Select(f => f.Jpeg));
    }

    [Fact]
    public void AnotherMasterKey_OpensNothing()
    {
        var (file, _) = Build(2);

        var read = SegmentFormat.Read(file, RandomNumberGenerator.GetBytes(32));

        Assert.Empty(read.Frames);
    }

    private static (byte[] File, List<RecordedFrame> Frames) Build(int count)
    {
        var segmentId = RandomNumberGenerator.GetBytes(16);
        using var aead = new AesGcm(SegmentFormat.DeriveSegmentKey(MasterKey, segmentId), 16);
        var frames = Enumerable.Range(0, count)
            .Select(i => new RecordedFrame(i, DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000 + (i * 66)), [0xFF, 0xD8, 0xFF, 0xE0, .. RandomNumberGenerator.GetBytes(300), 0xFF, 0xD9]))
            .ToList();
        using var file = new MemoryStream();
        file.Write(SegmentFormat.Header(segmentId, SegmentFormat.DerivedKeyVersion));
        foreach (var frame in frames)
        {
            file.Write(SegmentFormat.SealRecord(aead, segmentId, frame.Index, frame.CapturedAt, frame.Jpeg));
        }

        return (file.ToArray(), frames);
    }
}
