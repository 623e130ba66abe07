namespace Iris.Camera.Media;

/// <summary>How long recordings last at the rate they are written now (see <see cref="RecordingOverview.Estimate"/>).</summary>
/// <param name="UsedBytes">Bytes the complete segments take.</param>
/// <param name="CapacityBytes">Bytes recordings may take: the quota, or less when the disk has less free (above its reserve).</param>
/// <param name="BytesPerHour">Bytes written per hour of wall-clock time over the last day, or null before the first segment.</param>
/// <param name="DaysKept">Days of recordings the capacity holds at that rate, never more than the retention time; null when not measured.</param>
public sealed record StorageEstimate(long UsedBytes, long CapacityBytes, long? BytesPerHour, double? DaysKept);

/// <summary>The recording mode, the format segments are written in (and why, when not the configured one), and the storage estimate.</summary>
public sealed record RecordingOverviewView(RecordingMode Mode, string Format, string? FormatProblem, StorageEstimate Storage);

/// <summary>What the dashboard says about recordings: mode, format in use and "recordings last about N days at this rate".</summary>
internal sealed class RecordingOverview(Recorder recorder, RecordingStore store, MediaOptions options, TimeProvider time)
{
    /// <summary>The rate is measured over this much of the most recent recording time.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromDays(1);

    public RecordingOverviewView Current()
    {
        var segments = store.List();
        var used = segments.Sum(s => s.Bytes);
        var capacity = Math.Max(0, Math.Min(options.RecordingQuotaBytes, used + store.AvailableFreeBytes - options.MinimumFreeBytes));
        var format = recorder.Format;
        return new RecordingOverviewView(recorder.Mode, format.Format, format.Problem, Estimate(segments, time.GetUtcNow(), capacity, options.RecordingRetention));
    }

    /// <summary>
    /// Measured, not assumed: the bytes of the segments that ended within <see cref="Window"/> before
    /// <paramref name="now"/>, divided by the wall-clock time from the first of them to now (motion-only recording
    /// writes less per hour than continuous, and this sees it). The capacity at that rate gives the days kept; the
    /// retention time bounds it, since older segments go anyway. Under a minute of measurement says nothing yet.
    /// </summary>
    public static StorageEstimate Estimate(IReadOnlyList<RecordingSegment> segments, DateTimeOffset now, long capacity, TimeSpan retention)
    {
        var used = segments.Sum(s => s.Bytes);
        var recent = segments.Where(s => s.EndedAt > now - Window && s.EndedAt <= now).ToList();
        if (recent.Count == 0)
        {
            return new StorageEstimate(used, capacity, null, null);
        }

        var since = recent.Min(s => s.StartedAt);
        var measured = now - (since < now - Window ? now - Window : since);
        if (measured < TimeSpan.FromMinutes(1))
        {
            return new StorageEstimate(used, capacity, null, null);
        }

        var perHour = (long)(recent.Sum(s => s.Bytes) / measured.TotalHours);
        var days = perHour == 0 ? retention.TotalDays : Math.Min(retention.TotalDays, capacity / (perHour * 24.0));
        return new StorageEstimate(used, capacity, perHour, Math.Round(days, 1));
    }
}
