namespace Iris.Camera.Media;

/// <summary>Delegates to the test pattern or ffmpeg, whichever the settings in force name, at each capture start.</summary>
internal sealed class SwitchingFrameSource(IActiveVideoSettings settings, TestPatternSource testPattern, FfmpegSource ffmpeg) : IFrameSource
{
    public string Name => settings.Active.Source;

    public IAsyncEnumerable<VideoFrame> CaptureAsync(CancellationToken cancellationToken) =>
        settings.Active.Source == MediaOptions.TestPatternSource ? testPattern.CaptureAsync(cancellationToken) : ffmpeg.CaptureAsync(cancellationToken);
}
