using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Iris.Camera.Identity;
using Iris.Camera.Media;

namespace Iris.Bench;

/// <summary>
/// Issue 4: appending a 10-second segment (150 frames of a 720p test-pattern JPEG) encrypted, as the recorder
/// does, next to appending the same bytes in plaintext with the same flush pattern; and motion analysis per frame.
/// </summary>
[MemoryDiagnoser]
public class MediaBenchmarks : IDisposable
{
    private const int FramesPerSegment = 150;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "iris-media-bench-" + Guid.NewGuid().ToString("N"));
    private readonly byte[] _masterKey = RandomNumberGenerator.GetBytes(32);
    private VideoFrame[] _frames = null!;
    private DeviceIdentity _identity = null!;
    private MotionAnalyzer _analyzer = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        Directory.CreateDirectory(_directory);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _identity = new DeviceIdentity("DEV-BENCHMARK01", "bench", IdentityOrigin.Development,
            DeviceCertificate.CreateSelfSigned(key, "DEV-BENCHMARK01", "Iris", DateTimeOffset.UnixEpoch));
        var source = new TestPatternSource(new MediaOptions(), _identity, TimeProvider.System);
        _frames = [.. Enumerable.Range(0, 30).Select(i => source.RenderFrame(i, DateTimeOffset.UnixEpoch.AddSeconds(i / 15.0)))];
        _analyzer = new MotionAnalyzer(60, [], 15);
    }

    [Benchmark(Baseline = true, Description = "plain segment append (150 x 720p)")]
    public long PlainSegment()
    {
        using var stream = NewFile();
        for (var i = 0; i < FramesPerSegment; i++)
        {
            stream.Write(_frames[i % _frames.Length].Jpeg.Span);
            stream.Flush();
        }

        stream.Flush(flushToDisk: true);
        return stream.Length;
    }

    [Benchmark(Description = "encrypted segment append (150 x 720p)")]
    public long EncryptedSegment()
    {
        var segmentId = RandomNumberGenerator.GetBytes(16);
        using var aead = new AesGcm(SegmentFormat.DeriveSegmentKey(_masterKey, segmentId), 16);
        using var stream = NewFile();
        stream.Write(SegmentFormat.Header(segmentId));
        for (var i = 0; i < FramesPerSegment; i++)
        {
            var frame = _frames[i % _frames.Length];
            stream.Write(SegmentFormat.SealRecord(aead, segmentId, i, frame.CapturedAt, frame.Jpeg.Span));
            stream.Flush();
        }

        stream.Flush(flushToDisk: true);
        return stream.Length;
    }

    [Benchmark(Description = "motion analysis of one 720p frame")]
    public double? MotionPerFrame() => _analyzer.Analyze(_frames[_next++ % _frames.Length].Jpeg.Span);

    [GlobalCleanup]
    public void Dispose()
    {
        _identity?.Dispose();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        GC.SuppressFinalize(this);
    }

    private FileStream NewFile() => new(Path.Combine(_directory, Guid.NewGuid().ToString("N")), FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096);
}
