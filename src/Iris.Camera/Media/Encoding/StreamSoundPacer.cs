namespace Iris.Camera.Media;

/// <summary>
/// Paces a network stream's sound out with the pictures: for each video frame it gives exactly that frame's share
/// of samples, up to one frame interval after its media time (as <see cref="TestTone"/> does), from what arrived with the frames (<see cref="VideoFrame.Sound"/>),
/// so the encoder's sound and picture stay in step however the sound arrives. It starts, and starts again after
/// running dry, only once <see cref="StartBytes"/> (100 ms) are waiting, so small irregularities do not become
/// gaps; missing sound is silence. More than <see cref="MaxBytes"/> (500 ms) waiting is cut back to the newest
/// 100 ms, so the sound never lags the picture by more than that.
/// </summary>
internal sealed class StreamSoundPacer(int framesPerSecond) : IFrameSound
{
    public const int StartBytes = EncoderArguments.SampleRate * 2 / 10;
    public const int MaxBytes = EncoderArguments.SampleRate * 2 / 2;

    private readonly byte[] _waiting = new byte[MaxBytes + (EncoderArguments.SampleRate * 2)];
    private int _count;
    private long _sample;
    private bool _playing;

    public void Arrived(VideoFrame frame) => Add(frame.Sound);

    /// <summary>Sound that arrived (16-bit mono PCM at the encoder's rate), to be paced out.</summary>
    public void Add(byte[]? arrived)
    {
        if (arrived is { Length: > 0 })
        {
            var keep = Math.Min(arrived.Length, _waiting.Length) & ~1;
            var room = _waiting.Length - _count;
            if (keep > room)
            {
                Drop(keep - room);
            }

            arrived.AsSpan(arrived.Length - keep, keep).CopyTo(_waiting.AsSpan(_count));
            _count += keep;
        }
    }

    /// <summary>The samples that belong with the next video frame written (little-endian s16).</summary>
    public byte[] NextFrame(long atMilliseconds)
    {
        if (_count > MaxBytes)
        {
            Drop(_count - StartBytes);
        }

        var end = (atMilliseconds * EncoderArguments.SampleRate / 1000) + (EncoderArguments.SampleRate / framesPerSecond);
        var share = new byte[(int)Math.Max(0, end - _sample) * 2];
        _sample = Math.Max(_sample, end);
        _playing |= _count >= StartBytes;
        if (_playing)
        {
            var given = Math.Min(_count, share.Length);
            _waiting.AsSpan(0, given).CopyTo(share);
            Drop(given);
            _playing = given == share.Length;
        }

        return share;
    }

    private void Drop(int bytes)
    {
        _waiting.AsSpan(bytes, _count - bytes).CopyTo(_waiting);
        _count -= bytes;
    }
}
