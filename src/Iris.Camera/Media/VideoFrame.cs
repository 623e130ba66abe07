namespace Iris.Camera.Media;

/// <summary>One encoded frame. Frames are immutable and shared by every viewer; nothing copies the JPEG bytes.</summary>
public sealed record VideoFrame(long Sequence, DateTimeOffset CapturedAt, int Width, int Height, ReadOnlyMemory<byte> Jpeg)
{
    /// <summary>
    /// The sound of a network-stream source that arrived since the frame before (16-bit mono PCM at 48 kHz), or null;
    /// the encoder paces it out with the pictures (<see cref="StreamSoundPacer"/>).
    /// </summary>
    public byte[]? Sound { get; init; }
}

/// <summary>
/// A camera source: produces JPEG frames until cancelled. Implementations: the built-in test pattern (default,
/// runs anywhere), and V4L2 devices and https:// streams through a supervised ffmpeg. A source that stops
/// delivering throws <see cref="FrameSourceException"/> with a reason fit to show an administrator.
/// </summary>
public interface IFrameSource
{
    string Name { get; }

    IAsyncEnumerable<VideoFrame> CaptureAsync(CancellationToken cancellationToken);
}

/// <summary>A frame source stopped delivering, with a reason fit to show an administrator (no URL, no secret).</summary>
public sealed class FrameSourceException(string reason) : Exception(reason)
{
    public string Reason { get; } = reason;
}
