namespace Iris.Camera.Media;

/// <summary>One encoded frame. Frames are immutable and shared by every viewer; nothing copies the JPEG bytes.</summary>
public sealed record VideoFrame(long Sequence, DateTimeOffset CapturedAt, int Width, int Height, ReadOnlyMemory<byte> Jpeg);

/// <summary>
/// A camera source: produces JPEG frames until cancelled. Implementations: the built-in test pattern (default,
/// runs anywhere); V4L2 and file/stream sources through a supervised ffmpeg come in a later step.
/// </summary>
public interface IFrameSource
{
    string Name { get; }

    IAsyncEnumerable<VideoFrame> CaptureAsync(CancellationToken cancellationToken);
}
