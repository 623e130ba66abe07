namespace Iris.Camera.Media;

/// <summary>The sound written with each picture the encoder gets: the test tone, or a network stream's own sound paced out.</summary>
internal interface IFrameSound
{
    /// <summary>A frame arrived (with the stream's sound since the one before, if any); called once per frame, however often it is written.</summary>
    void Arrived(VideoFrame frame);

    /// <summary>The samples that go with the next picture written (little-endian s16).</summary>
    byte[] NextFrame();
}
