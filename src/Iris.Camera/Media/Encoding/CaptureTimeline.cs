namespace Iris.Camera.Media;

/// <summary>
/// One encoder run's media time, from the pictures' capture times (<see cref="VideoFrame.CapturedAt"/>): the first
/// picture is 0, each later one as much later as it was captured, so a picture that never reached the encoder
/// leaves a gap the encoder fills, and the video is as long as the time it covers (attack finding A7). The picture
/// and its sound (<see cref="IFrameSound"/>) take the same time, so they stay in step. Capture times come from the
/// wall clock, which can be set back or leap forward; media time must still only go forward: a picture not later
/// than the one before is one frame interval after it, and a step larger than <see cref="MaxGap"/> (longer than
/// a source may stay silent before it is dropped) counts as one frame interval too, not as hours to fill.
/// </summary>
internal sealed class CaptureTimeline(int framesPerSecond)
{
    public static readonly TimeSpan MaxGap = TimeSpan.FromSeconds(10);

    private readonly TimeSpan _interval = TimeSpan.FromTicks(TimeSpan.TicksPerSecond / framesPerSecond);
    private DateTimeOffset? _previousCapture;
    private TimeSpan _previous;
    private long _originTicks;

    /// <summary>The capture time of the run's first picture (media time 0), or null before it; safe to read from another thread.</summary>
    public DateTimeOffset? Origin => Interlocked.Read(ref _originTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    /// <summary>The media time of the next picture, captured at <paramref name="capturedAt"/>.</summary>
    public TimeSpan Next(DateTimeOffset capturedAt)
    {
        if (_previousCapture is not { } before)
        {
            _previousCapture = capturedAt;
            Interlocked.Exchange(ref _originTicks, capturedAt.UtcTicks);
            return _previous = TimeSpan.Zero;
        }

        var step = capturedAt - before;
        _previousCapture = capturedAt;
        // Within a millisecond of the previous picture counts as "not later": the input's clock counts milliseconds.
        _previous += step <= TimeSpan.FromMilliseconds(1) || step > MaxGap ? _interval : step;
        return _previous;
    }
}
