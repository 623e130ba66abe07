namespace Iris.Camera.Media;

/// <summary>What a range export holds: the segments to join, how much of the first to skip, and how long the result is.</summary>
internal sealed record RangeExportPlan(IReadOnlyList<RecordingSegment> Segments, TimeSpan Skip, TimeSpan Duration);

/// <summary>
/// A time range of H.264 recordings as one MP4 (<see cref="Mp4Export.JoinAsync"/>). Each segment covers its first
/// fragment's time to its last fragment's time plus one frame interval (the next segment starts there when
/// recording ran on), so a range across segments joins without a gap and the result is as long as the recorded
/// part of the range. Gaps in the recording (motion-only, off) are left out, not filled.
/// </summary>
internal static class RangeExport
{
    /// <summary>The longest range one export may span: the joined segments are held in RAM while ffmpeg works.</summary>
    public static readonly TimeSpan MaxRange = TimeSpan.FromMinutes(10);

    public static RangeExportPlan Plan(IReadOnlyList<RecordingSegment> overlapping, DateTimeOffset from, DateTimeOffset to)
    {
        var used = new List<RecordingSegment>();
        var skip = TimeSpan.Zero;
        var duration = TimeSpan.Zero;
        foreach (var segment in overlapping.OrderBy(s => s.StartedAt))
        {
            var start = segment.StartedAt > from ? segment.StartedAt : from;
            var end = Covered(segment) < to ? Covered(segment) : to;
            if (end <= start)
            {
                continue;
            }

            if (used.Count == 0)
            {
                skip = start - segment.StartedAt;
            }

            used.Add(segment);
            duration += end - start;
        }

        return new RangeExportPlan(used, skip, duration);
    }

    /// <summary>Where a segment's picture ends: its last fragment plus the average interval between its fragments (record 0 is the init segment).</summary>
    public static DateTimeOffset Covered(RecordingSegment segment) =>
        segment.Frames > 2 ? segment.EndedAt + ((segment.EndedAt - segment.StartedAt) / (segment.Frames - 2)) : segment.EndedAt;
}
