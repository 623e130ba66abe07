using SkiaSharp;

namespace Iris.Camera.Media;

/// <summary>A zone to watch, in fractions of the frame (0..1), so it holds at any resolution.</summary>
public sealed record MotionZone(double X, double Y, double Width, double Height);

/// <summary>
/// Compares each frame with the one about 200 ms earlier, on a small grayscale copy (decoded at reduced scale
/// straight from the JPEG): slow movement that barely shifts between consecutive frames still shows. Motion is
/// when the share of changed pixels inside the zones exceeds what the sensitivity allows; a burned-in clock or
/// sensor noise stays below it.
/// </summary>
public sealed class MotionAnalyzer
{
    public const int AnalysisWidth = 96;
    private readonly Queue<byte[]> _recent = new();
    private readonly int _lag;
    private int _height;

    /// <param name="sensitivity">1 (only large changes) to 100 (small changes).</param>
    /// <param name="framesPerSecond">The source's rate: the reference frame is a fifth of a second back.</param>
    public MotionAnalyzer(int sensitivity, IReadOnlyList<MotionZone> zones, int framesPerSecond)
    {
        Sensitivity = Math.Clamp(sensitivity, 1, 100);
        Zones = zones.Count == 0 ? [new MotionZone(0, 0, 1, 1)] : zones;
        _lag = Math.Max(1, framesPerSecond / 5);
    }

    public int Sensitivity { get; }

    public IReadOnlyList<MotionZone> Zones { get; }

    /// <summary>Share of changed pixels (0..1) that counts as motion: 5 % at sensitivity 1, 0.5 % at 100.</summary>
    public double AreaThreshold => 0.05 - (0.045 * (Sensitivity - 1) / 99.0);

    /// <summary>Per-pixel brightness change that counts as a change (noise stays below it).</summary>
    public int PixelThreshold => 40 - (Sensitivity / 5);

    /// <summary>Analyses one frame; returns the changed share, or null for the first frame or an undecodable one.</summary>
    public double? Analyze(ReadOnlySpan<byte> jpeg)
    {
        var (gray, height) = Downscale(jpeg);
        if (gray is null)
        {
            return null;
        }

        if (height != _height)
        {
            _recent.Clear();
            _height = height;
        }

        _recent.Enqueue(gray);
        if (_recent.Count <= _lag)
        {
            return null;
        }

        var previous = _recent.Dequeue();

        long watched = 0, changed = 0;
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < AnalysisWidth; x++)
            {
                if (!InZones(x / (double)AnalysisWidth, y / (double)height))
                {
                    continue;
                }

                watched++;
                var i = (y * AnalysisWidth) + x;
                if (Math.Abs(gray[i] - previous[i]) > PixelThreshold)
                {
                    changed++;
                }
            }
        }

        return watched == 0 ? 0 : changed / (double)watched;
    }

    public bool IsMotion(double changedShare) => changedShare >= AreaThreshold;

    private bool InZones(double x, double y)
    {
        foreach (var zone in Zones)
        {
            if (x >= zone.X && x < zone.X + zone.Width && y >= zone.Y && y < zone.Y + zone.Height)
            {
                return true;
            }
        }

        return false;
    }

    private static (byte[]? Gray, int Height) Downscale(ReadOnlySpan<byte> jpeg)
    {
        using var data = SKData.CreateCopy(jpeg);
        using var codec = SKCodec.Create(data);
        if (codec is null)
        {
            return (null, 0);
        }

        // Let the JPEG decoder scale (DCT scaling is far cheaper than decoding full size, then resizing).
        var scaled = codec.GetScaledDimensions(Math.Max(1f / 8, (float)AnalysisWidth / codec.Info.Width));
        using var decoded = new SKBitmap(new SKImageInfo(scaled.Width, scaled.Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        if (codec.GetPixels(decoded.Info, decoded.GetPixels()) is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
        {
            return (null, 0);
        }

        var height = Math.Max(1, (int)Math.Round(AnalysisWidth * (double)scaled.Height / scaled.Width));
        using var small = decoded.Resize(new SKImageInfo(AnalysisWidth, height, SKColorType.Rgba8888, SKAlphaType.Premul), new SKSamplingOptions(SKFilterMode.Linear));
        if (small is null)
        {
            return (null, 0);
        }

        var rgba = small.GetPixelSpan();
        var gray = new byte[AnalysisWidth * height];
        for (var i = 0; i < gray.Length; i++)
        {
            // ITU-R BT.601 luma, in integers.
            gray[i] = (byte)(((77 * rgba[i * 4]) + (150 * rgba[(i * 4) + 1]) + (29 * rgba[(i * 4) + 2])) >> 8);
        }

        return (gray, height);
    }
}
