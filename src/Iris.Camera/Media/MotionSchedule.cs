using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Iris.Camera.Web;

namespace Iris.Camera.Media;

/// <summary>
/// When motion counts: on these days, between these hours, in the owner's own time zone (an IANA id such as
/// <c>Asia/Taipei</c>, which the browser knows), so "weekdays 08:00-18:00" stays right across daylight saving and
/// wherever the device's clock is set to UTC. A window whose end is before its start runs past midnight and belongs
/// to the day it starts on (Friday 22:00-06:00 ends Saturday 06:00). Start equal to end means the whole day.
/// Outside the schedule a frame is never judged: no event, no alert, no motion recording.
/// </summary>
public sealed class MotionSchedule : IValidatableObject
{
    public static readonly IReadOnlyList<string> DayNames = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

    [Required, StringLength(64), PlainText]
    public string TimeZone { get; set; } = "UTC";

    /// <summary>Lower-case English day names (<see cref="DayNames"/>), as the device stores them whatever the UI language.</summary>
    [Required, MaxLength(7)]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "MaxLength counts a List through ICollection; its reflection path is for other types.")]
    public List<string> Days { get; set; } = [.. DayNames];

    [Required, RegularExpression("^([01][0-9]|2[0-3]):[0-5][0-9]$", ErrorMessage = "Give the start as HH:mm (00:00-23:59).")]
    public string From { get; set; } = "00:00";

    [Required, RegularExpression("^([01][0-9]|2[0-3]):[0-5][0-9]$", ErrorMessage = "Give the end as HH:mm (00:00-23:59).")]
    public string To { get; set; } = "00:00";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (TimeZone is not null && !TryZone(TimeZone, out _))
        {
            yield return new ValidationResult("Give a time zone by its IANA name, such as Asia/Taipei.", [nameof(TimeZone)]);
        }

        if (Days is not null)
        {
            if (Days.Count == 0)
            {
                yield return new ValidationResult("Choose at least one day, or turn the schedule off.", [nameof(Days)]);
            }

            if (Days.Any(d => d is null || !DayNames.Contains(d, StringComparer.Ordinal)))
            {
                yield return new ValidationResult("Days are sunday, monday, tuesday, wednesday, thursday, friday or saturday.", [nameof(Days)]);
            }

            if (Days.Distinct(StringComparer.Ordinal).Count() != Days.Count)
            {
                yield return new ValidationResult("A day is listed twice.", [nameof(Days)]);
            }
        }
    }

    /// <summary>Whether motion at <paramref name="at"/> counts, read in the schedule's time zone.</summary>
    public bool Includes(DateTimeOffset at)
    {
        if (!TryZone(TimeZone, out var zone))
        {
            // Validation refuses an unknown zone; one that vanished from the system later fails open to UTC rather than silencing alerts.
            zone = TimeZoneInfo.Utc;
        }

        var local = TimeZoneInfo.ConvertTime(at, zone);
        var minute = (local.Hour * 60) + local.Minute;
        var from = Minutes(From);
        var to = Minutes(To);
        var today = Days.Contains(DayNames[(int)local.DayOfWeek], StringComparer.Ordinal);
        if (from == to)
        {
            return today;
        }

        if (from < to)
        {
            return today && minute >= from && minute < to;
        }

        var yesterday = Days.Contains(DayNames[((int)local.DayOfWeek + 6) % 7], StringComparer.Ordinal);
        return (today && minute >= from) || (yesterday && minute < to);
    }

    private static int Minutes(string hhmm) =>
        (int.Parse(hhmm.AsSpan(0, 2), CultureInfo.InvariantCulture) * 60) + int.Parse(hhmm.AsSpan(3, 2), CultureInfo.InvariantCulture);

    private static bool TryZone(string id, out TimeZoneInfo zone)
    {
        // Only IANA ids: a Windows id or a path-like string is not a zone the browser could have given.
        if (id.Length == 0 || id.Contains("..", StringComparison.Ordinal) || id.StartsWith('/'))
        {
            zone = TimeZoneInfo.Utc;
            return false;
        }

        return TimeZoneInfo.TryFindSystemTimeZoneById(id, out zone!);
    }
}
