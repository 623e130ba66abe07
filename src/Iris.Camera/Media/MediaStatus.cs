namespace Iris.Camera.Media;

/// <summary>
/// What other modules may read about Media, and nothing more (telemetry's counters): read-only, no frames, no
/// recordings, no settings that could hold a secret.
/// </summary>
public interface IMediaStatus
{
    /// <summary>Number of complete recording segments stored.</summary>
    long RecordingSegments { get; }

    /// <summary>Bytes those segments take on disk.</summary>
    long RecordingBytes { get; }

    /// <summary>"off", "continuous" or "motion".</summary>
    string RecordingMode { get; }

    bool PrivacyMode { get; }
}

internal sealed class MediaStatus(RecordingIndex recordings, Recorder recorder, PrivacyMode privacy) : IMediaStatus
{
    public long RecordingSegments => recordings.Totals().Count;

    public long RecordingBytes => recordings.Totals().Bytes;

    public string RecordingMode => recorder.Mode.ToString().ToLowerInvariant();

    public bool PrivacyMode => privacy.Enabled;
}
