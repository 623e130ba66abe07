namespace Iris.Camera.Media;

/// <summary>
/// Whether the sound of a network-stream source reaches the encoder, for the status (<c>sound</c> in
/// <c>GET /api/media/video</c> and <c>/api/media/privacy</c>): "ok" once a capture with the stream's sound delivered
/// a frame, <see cref="NoSound"/> when the stream has no sound track (the picture goes on, the encoder gets
/// silence). News about other settings than those in force is not shown; null while nothing is known, and for the
/// test pattern and V4L2 sources, whose sound is the test tone or the ALSA device.
/// </summary>
public sealed class StreamSoundStatus
{
    public const string Ok = "ok";
    public const string NoSound = "the stream carries no sound: silence is encoded";

    private Known? _last;

    /// <summary>What is known about the sound of <paramref name="video"/>, when it is a stream source with the microphone on.</summary>
    public string? For(ActiveVideo video) =>
        video.Microphone && video.Source == MediaOptions.StreamSource && Volatile.Read(ref _last) is { } last && last.Video == video ? last.State : null;

    internal void Report(ActiveVideo video, string state) => Volatile.Write(ref _last, new Known(video, state));

    private sealed record Known(ActiveVideo Video, string State);
}
