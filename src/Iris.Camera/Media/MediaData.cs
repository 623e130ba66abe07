using System.Globalization;
using Iris.Camera.Storage;

namespace Iris.Camera.Media;

/// <summary>Recordings, live video and motion events: declared here, and deleted only here.</summary>
internal sealed class MediaData(RecordingStore recordings, MotionDetector motion, MediaOptions media) : IStoredData
{
    public const string RecordingsKind = "recordings";
    public const string MotionEventsKind = "motion-events";

    public IEnumerable<DataKind> Kinds =>
    [
        new(RecordingsKind, "Recordings", true,
            "Video the owner chose to record (continuous or on motion), for playback and download.",
            $"{media.RecordingRetention.TotalDays.ToString("0.##", CultureInfo.InvariantCulture)} days, within {media.RecordingQuotaBytes / (1024 * 1024)} MiB and a free-disk floor; oldest first.",
            "Per segment, per time range, or all (all destroys the recordings key, so nothing remains readable).",
            ["recordings"], ["recordings/*", "recordings/keys/segment.slots", "vault/recordings-key.sealed"]),
        new("snapshots", "Snapshots and live video", true,
            "Shown to signed-in viewers while they watch.",
            "Not stored: frames exist only in memory on their way to a viewer.",
            "Nothing to delete.",
            [], []),
        new(MotionEventsKind, "Motion events", true,
            "When motion was seen in view (time, changed share of the picture, and a small sealed picture of the moment), for the event list and motion recording.",
            "Until deleted by the owner (with the recordings, or on their own).",
            "All at once.",
            ["motion_events"], ["recordings/motion/*.still"]),
    ];

    public IEnumerable<DataLocation> Locations => [new("settings", [], ["vault/video-settings.sealed"])];

    public IEnumerable<string> Deletable => [RecordingsKind, MotionEventsKind];

    public int Count(string kindId) => kindId == RecordingsKind ? recordings.List().Count : motion.CountEvents();

    public int DeleteKind(string kindId, ErasureRequest request)
    {
        return kindId == RecordingsKind ? recordings.DeleteAll() : motion.DeleteAllEvents();
    }
}
