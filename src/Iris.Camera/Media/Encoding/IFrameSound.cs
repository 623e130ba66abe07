namespace Iris.Camera.Media;

/// <summary>The sound written with each picture the encoder gets: the test tone, or a network stream's own sound paced out.</summary>
internal interface IFrameSound
{
    /// <summary>A frame arrived (with the stream's sound since the one before, if any); called once per frame, however often it is written.</summary>
    void Arrived(VideoFrame frame);

    /// <summary>
    /// The samples that go with the next picture written (little-endian s16), whose media time is
    /// <paramref name="atMilliseconds"/> (<see cref="CaptureTimeline"/>): the sound up to one frame interval after it,
    /// so a gap before a picture is covered by its sound too, and sound and picture keep the same clock.
    /// </summary>
    byte[] NextFrame(long atMilliseconds);
}
