using System.Globalization;
using Iris.Camera.Storage;

namespace Iris.Camera.Events;

/// <summary>The security log and alert inbox, with their retention.</summary>
internal sealed class EventsData(SecurityEventLog events, CameraDatabase database, SecurityLogOptions options) : IStoredData
{
    public const string KindId = "security-log";

    public IEnumerable<DataKind> Kinds =>
    [
        new(KindId, "Security log and alerts", true,
            "Evidence of sign-ins, failures, changes and updates: time, kind, account name and source address (IoT-1005-1 5.5.x).",
            $"{options.SecurityLogRetention.TotalDays.ToString("0", CultureInfo.InvariantCulture)} days, then purged automatically.",
            "Account names, addresses and details are redacted from every entry and alert; the entries and their signed chain stay as evidence and leave only by retention. The deletion is itself logged.",
            ["security_events", "alerts"], ["vault/data-key.security-log.*.sealed"]),
    ];

    public IEnumerable<string> Deletable => [KindId];

    public int Count(string kindId)
    {
        using var connection = database.OpenConnection();
        return Convert.ToInt32(DbRows.Scalar(connection, "SELECT COUNT(*) FROM security_events;"), CultureInfo.InvariantCulture);
    }

    public int DeleteKind(string kindId, ErasureRequest request) => events.RedactPersonalFields();
}
