using System.Globalization;
using Iris.Camera.Storage;

namespace Iris.Camera.Media;

/// <summary>
/// A motion event on the timeline, with the segment that holds it and how far into that segment it is (null when
/// nothing was recorded then), and whether its own picture opens (<c>GET /api/media/motion-events/{id}/thumbnail</c>).
/// </summary>
public sealed record TimelineMotion(long Id, DateTimeOffset At, double ChangedShare, long? SegmentId, double? Offset, bool Thumbnail);

/// <summary>What was recorded between <paramref name="From"/> and <paramref name="To"/> (a day, as the page asks) and when motion was seen.</summary>
public sealed record TimelineView(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<RecordingSegment> Segments, IReadOnlyList<TimelineMotion> Motion);

/// <summary>
/// A day's timeline: the segments that overlap it and the motion events within it, each event tied to the segment
/// whose picture covers it, so the page can play from there, and marked when it has its own sealed picture. Reads
/// the motion events itself (a read by time; the detector writes them), within the Media module that owns them.
/// </summary>
internal sealed class RecordingTimeline(RecordingStore store, CameraDatabase database, MotionThumbnails pictures)
{
    /// <summary>The longest span one timeline may cover: a day in any time zone, with a daylight-saving change.</summary>
    public static readonly TimeSpan MaxSpan = TimeSpan.FromHours(26);

    /// <summary>Events listed at most per timeline (the detector writes at most one per 10 s: 8640 a day).</summary>
    public const int MaxEvents = 10_000;

    public TimelineView Build(DateTimeOffset from, DateTimeOffset to)
    {
        var segments = store.List(from, to);
        var motion = new List<TimelineMotion>();
        foreach (var (id, at, share) in MotionBetween(from, to))
        {
            var segment = segments.FirstOrDefault(s => s.StartedAt <= at && at < RangeExport.Covered(s));
            motion.Add(new TimelineMotion(id, at, share, segment?.Id, segment is null ? null : Math.Round((at - segment.StartedAt).TotalSeconds, 3), pictures.Exists(id)));
        }

        return new TimelineView(from, to, segments, motion);
    }

    private List<(long Id, DateTimeOffset At, double Share)> MotionBetween(DateTimeOffset from, DateTimeOffset to)
    {
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, at, changed_share FROM motion_events WHERE at >= $from AND at <= $to ORDER BY at LIMIT $limit;";
        command.Parameters.AddWithValue("$from", DbTime.Format(from));
        command.Parameters.AddWithValue("$to", DbTime.Format(to));
        command.Parameters.AddWithValue("$limit", MaxEvents);
        using var reader = command.ExecuteReader();
        var events = new List<(long, DateTimeOffset, double)>();
        while (reader.Read())
        {
            if (DateTimeOffset.TryParse(reader.GetString(1), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                events.Add((reader.GetInt64(0), at, reader.GetDouble(2)));
            }
        }

        return events;
    }
}
