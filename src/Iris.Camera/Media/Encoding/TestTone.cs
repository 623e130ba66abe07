namespace Iris.Camera.Media;

/// <summary>
/// The test pattern's sound, made by the daemon (never an ffmpeg generator): 16-bit mono PCM at
/// <see cref="EncoderArguments.SampleRate"/>, a quiet 440 Hz tone with a 1 kHz beep in the first tenth of every
/// second of the stream. Produced per video frame up to that frame's media time, so sound and picture stay in step by construction.
/// </summary>
internal sealed class TestTone(int framesPerSecond) : IFrameSound
{
    private long _sample;

    public void Arrived(VideoFrame frame)
    {
    }

    /// <summary>The samples that belong with the next video frame (little-endian s16).</summary>
    public byte[] NextFrame(long atMilliseconds)
    {
        var rate = EncoderArguments.SampleRate;
        var end = (atMilliseconds * rate / 1000) + (rate / framesPerSecond);
        var count = (int)Math.Max(0, end - _sample);
        var bytes = new byte[count * 2];
        for (var i = 0; i < count; i++, _sample++)
        {
            var beep = _sample % rate < rate / 10;
            var value = beep
                ? 9000 * Math.Sin(2 * Math.PI * 1000 * _sample / rate)
                : 3000 * Math.Sin(2 * Math.PI * 440 * _sample / rate);
            var s = (short)value;
            bytes[2 * i] = (byte)s;
            bytes[(2 * i) + 1] = (byte)(s >> 8);
        }

        return bytes;
    }
}
