using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using Iris.Camera.Events;
using Iris.Camera.Identity;
using Iris.Camera.Storage;
using Microsoft.Extensions.Logging;

namespace Iris.Camera.Media;

public sealed class MotionZoneSetting
{
    [Range(0.0, 1.0)]
    public double X { get; set; }

    [Range(0.0, 1.0)]
    public double Y { get; set; }

    [Range(0.01, 1.0)]
    public double Width { get; set; } = 1;

    [Range(0.01, 1.0)]
    public double Height { get; set; } = 1;
}

/// <summary>Motion detection settings, stored in the database (administrators change them).</summary>
public sealed class MotionSettings : IValidatableObject
{
    public bool Enabled { get; set; }

    [Range(1, 100)]
    public int Sensitivity { get; set; } = 60;

    /// <summary>Left out means none (the whole frame); JSON null is refused, like a null zone.</summary>
    [Required, MaxLength(8)]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "MaxLength counts a List through ICollection; its reflection path is for other types.")]
    public List<MotionZoneSetting> Zones { get; set; } = [];

    /// <summary>Left out or null means always (what a camera without a schedule did before).</summary>
    public MotionSchedule? Schedule { get; set; }

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Validator reads the public properties of MotionZoneSetting and MotionSchedule, which the JSON source generator's metadata for this request keeps.")]
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        for (var i = 0; i < Zones.Count; i++)
        {
            // JSON may put null where the type says a zone; it gets a 400 naming it, never a crash.
            if (Zones[i] is not { } zone)
            {
                yield return new ValidationResult($"Zone {i} is null; give x, y, width and height.", [nameof(Zones)]);
                continue;
            }

            var results = new List<ValidationResult>();
            if (!Validator.TryValidateObject(zone, new ValidationContext(zone), results, validateAllProperties: true)
                || zone.X + zone.Width > 1.0001 || zone.Y + zone.Height > 1.0001)
            {
                yield return new ValidationResult($"Zone {i} must lie inside the frame (fractions 0-1).", [nameof(Zones)]);
            }
        }

        if (Schedule is not null)
        {
            var results = new List<ValidationResult>();
            Validator.TryValidateObject(Schedule, new ValidationContext(Schedule), results, validateAllProperties: true);
            foreach (var result in results)
            {
                // Keyed by the nested field (schedule.timeZone) so the page can show the error next to it.
                yield return new ValidationResult(result.ErrorMessage, [.. result.MemberNames.Select(m => $"{nameof(Schedule)}.{JsonNamingPolicy.CamelCase.ConvertName(m)}")]);
            }
        }
    }
}

/// <param name="Thumbnail">Whether a small picture of the moment is kept (GET /api/media/motion-events/{id}/thumbnail).</param>
public sealed record MotionEvent(long Id, DateTimeOffset At, double ChangedShare, bool Thumbnail = false);

/// <summary>
/// Watches frames while motion detection is on (capture keeps running for it even without viewers) and records
/// a motion event, at most one per cooldown, which also goes out through every alert channel. Privacy mode
/// stops it with the capture; it resumes when privacy mode ends or its settings change. An event is not written to
/// the daemon log: its time is personal data (when someone was in view), which belongs where the inventory,
/// retention and deletion reach, the motion_events table.
/// </summary>
internal sealed partial class MotionDetector(
    FrameHub hub,
    CameraDatabase database,
    IActiveVideoSettings video,
    TimeProvider time,
    AlertCenter alerts,
    MotionThumbnails thumbnails) : ReconfigurableService(time)
{
    public const string SettingKey = "motion";
    public static readonly TimeSpan Cooldown = TimeSpan.FromSeconds(10);

    public MotionSettings Settings =>
        database.GetSetting(SettingKey) is { } json ? JsonSerializer.Deserialize(json, MediaJson.Default.MotionSettings)! : new MotionSettings();

    public void Save(MotionSettings settings)
    {
        database.SetSetting(SettingKey, JsonSerializer.Serialize(settings, MediaJson.Default.MotionSettings), Time.GetUtcNow());
        Reconfigure();
    }

    /// <summary>Settings or privacy mode changed: start over with the current state.</summary>
    public IReadOnlyList<MotionEvent> Events(long afterId, int limit)
    {
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, at, changed_share FROM motion_events WHERE id > $after ORDER BY id LIMIT $limit;";
        command.Parameters.AddWithValue("$after", afterId);
        command.Parameters.AddWithValue("$limit", limit);
        using var reader = command.ExecuteReader();
        var events = new List<MotionEvent>();
        while (reader.Read())
        {
            var id = reader.GetInt64(0);
            events.Add(new MotionEvent(id, DateTimeOffset.Parse(reader.GetString(1), CultureInfo.InvariantCulture), reader.GetDouble(2), thumbnails.Exists(id)));
        }

        return events;
    }

    protected override async Task RunRoundAsync(CancellationToken cancellationToken)
    {
        var settings = Settings;
        if (!settings.Enabled || hub.TrySubscribe(asViewer: false, out var subscription) != SubscribeResult.Subscribed)
        {
            return;
        }

        using (subscription)
        {
            MotionAnalyzer NewAnalyzer() => new(settings.Sensitivity,
                [.. settings.Zones.Select(z => new MotionZone(z.X, z.Y, z.Width, z.Height))], video.Active.FramesPerSecond);
            var analyzer = NewAnalyzer();
            var last = DateTimeOffset.MinValue;
            await foreach (var frame in subscription!.Frames.ReadAllAsync(cancellationToken))
            {
                if (settings.Schedule?.Includes(frame.CapturedAt) == false)
                {
                    // Start afresh when the schedule opens: a frame from hours before is no reference for motion.
                    analyzer = NewAnalyzer();
                    continue;
                }

                var share = analyzer.Analyze(frame.Jpeg.Span);
                if (share is { } changedShare && analyzer.IsMotion(changedShare) && frame.CapturedAt - last >= Cooldown)
                {
                    last = frame.CapturedAt;
                    Record(frame.CapturedAt, changedShare, frame.Jpeg);
                }
            }
        }
    }

    /// <summary>When motion was last seen (motion-triggered recording follows it).</summary>
    public DateTimeOffset LastMotionAt { get; private set; } = DateTimeOffset.MinValue;

    private void Record(DateTimeOffset at, double share, ReadOnlyMemory<byte> jpeg)
    {
        LastMotionAt = at;
        long id;
        using (var connection = database.OpenConnection())
        {
            id = Convert.ToInt64(DbRows.Scalar(connection, "INSERT INTO motion_events (at, changed_share) VALUES ($at, $share) RETURNING id;",
                ("$at", DbTime.Format(at)), ("$share", share)), CultureInfo.InvariantCulture);
        }

        // The picture before the alert: an app that follows the alert's link finds it there.
        thumbnails.Save(id, at, jpeg.Span);
        alerts.Announce(AlertKinds.Motion, at, id, string.Create(CultureInfo.InvariantCulture, $"Motion detected ({share:P1} of the watched area changed)."));
    }

    public int CountEvents()
    {
        using var connection = database.OpenConnection();
        return Convert.ToInt32(DbRows.Scalar(connection, "SELECT COUNT(*) FROM motion_events;"), CultureInfo.InvariantCulture);
    }

    /// <summary>Deletes every motion event (the owner's deletion of this kind of personal data).</summary>
    public int DeleteAllEvents()
    {
        int deleted;
        using (var connection = database.OpenConnection())
        {
            deleted = DbRows.Execute(connection, "DELETE FROM motion_events;");
        }

        thumbnails.DeleteAll();
        return deleted;
    }

}
