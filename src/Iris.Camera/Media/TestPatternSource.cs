using System.Globalization;
using System.Runtime.CompilerServices;
using Iris.Camera.Identity;
using SkiaSharp;

namespace Iris.Camera.Media;

/// <summary>
/// The built-in source: a moving block over colour bars, with the clock and serial burned in by a small bitmap
/// font (no system fonts needed). Paced by the injected clock, so tests step it frame by frame.
/// </summary>
internal sealed class TestPatternSource(IActiveVideoSettings settings, MediaOptions options, DeviceIdentity identity, TimeProvider time) : IFrameSource
{
    /// <summary>A test pattern with the configured size and rate, fixed (benchmarks and tests).</summary>
    public TestPatternSource(MediaOptions options, DeviceIdentity identity, TimeProvider time)
        : this(new FixedVideoSettings(ActiveVideo.From(options)), options, identity, time)
    {
    }

    private static readonly SKColor[] Bars =
    [
        new(192, 192, 192), new(192, 192, 0), new(0, 192, 192), new(0, 192, 0), new(192, 0, 192), new(192, 0, 0), new(0, 0, 192),
    ];

    public string Name => "test-pattern";

    public async IAsyncEnumerable<VideoFrame> CaptureAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var video = settings.Active;
        var info = new SKImageInfo(video.Width, video.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var surface = SKSurface.Create(info);
        using var paint = new SKPaint { IsAntialias = false };
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / video.FramesPerSecond), time);
        for (long sequence = 0; ; sequence++)
        {
            yield return Render(video, surface, paint, sequence, time.GetUtcNow());

            if (!await timer.WaitForNextTickAsync(cancellationToken))
            {
                yield break;
            }
        }
    }

    /// <summary>Frame number <paramref name="sequence"/> as the source would deliver it at <paramref name="now"/>.</summary>
    internal VideoFrame RenderFrame(long sequence, DateTimeOffset now)
    {
        var video = settings.Active;
        using var surface = SKSurface.Create(new SKImageInfo(video.Width, video.Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var paint = new SKPaint { IsAntialias = false };
        return Render(video, surface, paint, sequence, now);
    }

    private VideoFrame Render(ActiveVideo video, SKSurface surface, SKPaint paint, long sequence, DateTimeOffset now)
    {
        Draw(video, surface.Canvas, paint, sequence, now);
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, options.JpegQuality);
        return new VideoFrame(sequence, now, video.Width, video.Height, data.ToArray());
    }

    private void Draw(ActiveVideo video, SKCanvas canvas, SKPaint paint, long sequence, DateTimeOffset now)
    {
        var width = video.Width;
        var height = video.Height;
        var barWidth = (float)width / Bars.Length;
        for (var i = 0; i < Bars.Length; i++)
        {
            paint.Color = Bars[i];
            canvas.DrawRect(i * barWidth, 0, barWidth + 1, height, paint);
        }

        // The moving block crosses the frame every 2 seconds; with TestPatternMoves off the scene is still
        // (only the burned-in clock and counter change), which motion detection must ignore.
        var block = height / 3f;
        var travel = width - block;
        var cycle = video.FramesPerSecond * 2;
        var position = options.TestPatternMoves ? (sequence % cycle) / (float)cycle : 0.5f;
        paint.Color = SKColors.Black;
        canvas.DrawRect(position * travel, (height - block) / 2, block, block, paint);

        var (caption, scale) = Caption(width, height, now, identity.Serial, sequence);
        paint.Color = new SKColor(0, 0, 0, 200);
        canvas.DrawRect(0, height - (12 * scale), width, 12 * scale, paint);
        paint.Color = SKColors.White;
        BitmapFont.Draw(canvas, paint, caption, 4 * scale, height - (10 * scale), scale);
    }

    /// <summary>
    /// The caption and its pixel scale for a picture size: the clock with seconds first (it is what latency checks
    /// and viewers read), then the frame counter and serial; as large as the height suggests but never wider than
    /// the picture, and cut at the right (serial first) only where even the smallest scale cannot hold it all.
    /// </summary>
    internal static (string Text, int Scale) Caption(int width, int height, DateTimeOffset now, string serial, long sequence)
    {
        var text = $"{now.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}Z  #{sequence}  {serial}";
        // The scale is chosen for a counter of 7 digits, not the current one: a caption that changed size whenever
        // the counter gained a digit would redraw the whole band, which motion detection would take for motion.
        var layoutLength = "yyyy-MM-dd HH:mm:ssZ  #0000000  ".Length + serial.Length;
        var scale = Math.Max(1, Math.Min(Math.Max(2, height / 120), width / ((layoutLength * BitmapFont.Advance) + 8)));
        var fits = (width - (8 * scale)) / (BitmapFont.Advance * scale);
        return (text.Length > fits ? text[..fits] : text, scale);
    }
}
