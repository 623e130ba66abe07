using System.Globalization;
using Iris.Camera.Events;

namespace Iris.Camera.Media;

/// <summary>
/// The owner's changes to what the camera records and watches, and deletions of recordings: each carried out and
/// recorded in the security log here, so the endpoints only read input and map the outcome.
/// </summary>
internal sealed class MediaChanges(PrivacyMode privacy, IActiveVideoSettings video, FrameHub hub, MotionDetector motion, Recorder recorder, RecordingStore recordings, SecurityEventLog events, StreamSoundStatus sound)
{
    public async Task<PrivacyState> SetPrivacyAsync(bool enabled, string actor, string source, CancellationToken cancellationToken)
    {
        privacy.Set(enabled);
        motion.Reconfigure();
        if (enabled)
        {
            // When this returns, nothing is being recorded any more.
            await recorder.StopAndWaitAsync(cancellationToken);
        }
        else
        {
            recorder.Reconfigure();
        }

        events.Append(SecurityEventKinds.SettingsChanged, source, actor, $"privacy mode {(enabled ? "on" : "off")}");
        return new PrivacyState(privacy.Enabled, video.Active.Microphone && !privacy.Enabled, hub.Signal.State, sound.For(video.Active));
    }

    public MotionSettings SetMotion(MotionSettings settings, string actor, string source)
    {
        motion.Save(settings);
        events.Append(SecurityEventKinds.SettingsChanged, source, actor,
            $"motion detection {(settings.Enabled ? "on" : "off")}, sensitivity {settings.Sensitivity.ToString(CultureInfo.InvariantCulture)}, {settings.Zones.Count.ToString(CultureInfo.InvariantCulture)} zone(s)");
        return motion.Settings;
    }

    public async Task<RecordingSettings> SetRecordingModeAsync(RecordingMode mode, string actor, string source, CancellationToken cancellationToken)
    {
        await recorder.SaveAsync(mode, cancellationToken);
        events.Append(SecurityEventKinds.SettingsChanged, source, actor, $"recording {mode}");
        return new RecordingSettings { Mode = recorder.Mode };
    }

    /// <summary>Deletes one segment; false when no segment has this id.</summary>
    public bool DeleteRecording(long id, string actor, string source)
    {
        if (!recordings.Delete(id))
        {
            return false;
        }

        events.Append(SecurityEventKinds.RecordingsDeleted, source, actor, "1 segment");
        return true;
    }

    public int DeleteRecordings(DateTimeOffset from, DateTimeOffset to, string actor, string source)
    {
        var deleted = recordings.DeleteRange(from, to);
        events.Append(SecurityEventKinds.RecordingsDeleted, source, actor, $"{deleted.ToString(CultureInfo.InvariantCulture)} segment(s) in a time range");
        return deleted;
    }

    public int DeleteAllRecordings(string actor, string source)
    {
        var deleted = recordings.DeleteAll();
        events.Append(SecurityEventKinds.RecordingsDeleted, source, actor, "all recordings; recordings key destroyed");
        return deleted;
    }
}
