using System.Globalization;
using Iris.Camera.Identity;
using Iris.Camera.Storage;
using Microsoft.Extensions.Logging;

namespace Iris.Camera.Events;

/// <summary>An active alert to the administrator (5.8.1.1). Always names the device serial.</summary>
public sealed record SecurityAlert(long Id, DateTimeOffset At, string Kind, string Serial, string? Source, string? Account, string Message, DateTimeOffset? AcknowledgedAt);

public static class AlertKinds
{
    public const string BruteForce = "brute-force";
    public const string Lockout = "lockout";
    public const string SuccessAfterFailures = "login-after-failures";
    public const string NewSource = "login-from-new-source";
    public const string UpdateRefused = "update-refused";
    public const string UpdateRolledBack = "update-rolled-back";
    public const string Motion = "motion";
}

/// <summary>Where alerts are pushed besides the inbox (MQTT, webhook): each channel implements this once.</summary>
public interface IAlertChannel
{
    Task SendAsync(SecurityAlert alert, CancellationToken cancellationToken);
}

/// <summary>
/// The one way an alert is raised (5.8.1.1), whoever produces it (sign-in patterns, motion, updates): it is stored
/// in the inbox with the device serial, logged, and then sent to every channel. A failing channel never stops the
/// producer or the other channels.
/// </summary>
internal sealed partial class AlertCenter(
    CameraDatabase database,
    DeviceIdentity identity,
    SecurityEventLog events,
    TimeProvider time,
    IEnumerable<IAlertChannel> channels,
    ILogger<AlertCenter> logger,
    EventFields fields)
{
    private GroupCommit<PendingAlert, long>? _inserts;

    /// <summary>
    /// Stores the alert in the inbox, logs it and sends it to every channel. Alerts raised together (a flood's
    /// brute-force and lockout alerts, one per source) share one transaction and one fsync through a group commit,
    /// so the flood's alerts do not queue the owner's sign-in behind one commit each; each alert is still its own
    /// row, committed before <c>Raise</c> returns, and pushed with its own id.
    /// </summary>
    public SecurityAlert Raise(string kind, string? source, string? account, string message)
    {
        var at = time.GetUtcNow();
        var id = Inserts.Submit(new PendingAlert(at, kind, fields.Seal(source, SourceColumn, at), fields.Seal(account, AccountColumn, at), fields.Seal(message, MessageColumn, at)));
        var alert = new SecurityAlert(id, at, kind, identity.Serial, source, account, message, null);
        LogAlert(logger, kind, identity.Serial, id);
        Push(alert);
        return alert;
    }

    /// <summary>The inbox's group commit: its batch count is visible to tests.</summary>
    internal GroupCommit<PendingAlert, long> Inserts => LazyInitializer.EnsureInitialized(ref _inserts, () => new(WriteBatch));

    /// <summary>An alert on its way into the inbox, its personal fields already sealed.</summary>
    internal sealed record PendingAlert(DateTimeOffset At, string Kind, string? SealedSource, string? SealedAccount, string? SealedMessage);

    private List<long> WriteBatch(IReadOnlyList<PendingAlert> batch) => database.Writers.Run(() =>
    {
        using var connection = database.OpenConnection();
        using var transaction = connection.BeginTransaction(deferred: false);
        var ids = new List<long>(batch.Count);
        foreach (var alert in batch)
        {
            ids.Add(Convert.ToInt64(DbRows.Scalar(connection,
                "INSERT INTO alerts (at, kind, serial, source, account, message, sealed) VALUES ($at, $kind, $serial, $source, $account, $message, 1) RETURNING id;",
                ("$at", DbTime.Format(alert.At)), ("$kind", alert.Kind), ("$serial", identity.Serial), ("$source", alert.SealedSource),
                ("$account", alert.SealedAccount), ("$message", alert.SealedMessage)),
                CultureInfo.InvariantCulture));
        }

        transaction.Commit();
        return ids;
    });

    /// <summary>
    /// An event the owner is told about but that is not a security alert (motion): pushed to every channel with the
    /// device serial, not kept in the alert inbox. <paramref name="referenceId"/> is the producer's own record id.
    /// </summary>
    public void Announce(string kind, DateTimeOffset at, long referenceId, string message) =>
        Push(new SecurityAlert(referenceId, at, kind, identity.Serial, null, null, message, null));

    private void Push(SecurityAlert alert)
    {
        foreach (var channel in channels)
        {
            _ = DeliverAsync(channel, alert);
        }
    }

    public IReadOnlyList<SecurityAlert> Inbox(bool includeAcknowledged, int limit)
    {
        using var connection = database.OpenConnection();
        return DbRows.Query(connection,
            "SELECT id, at, kind, serial, source, account, message, acknowledged_at FROM alerts WHERE sealed = 1 AND ($all = 1 OR acknowledged_at IS NULL) ORDER BY id DESC LIMIT $limit;",
            r => new SecurityAlert(r.GetInt64(0), DbTime.Read(r, 1), r.GetString(2), r.GetString(3), fields.Open(DbRows.NullableString(r, 4), SourceColumn, DbTime.Read(r, 1)),
                fields.Open(DbRows.NullableString(r, 5), AccountColumn, DbTime.Read(r, 1)), r.GetString(6) is { Length: > 0 } message ? fields.Open(message, MessageColumn, DbTime.Read(r, 1))! : SecurityEventLog.RedactedMessage,
                DbTime.ReadNullable(r, 7)),
            ("$all", includeAcknowledged ? 1 : 0), ("$limit", limit));
    }

    internal const string SourceColumn = "alerts.source";
    internal const string AccountColumn = "alerts.account";
    internal const string MessageColumn = "alerts.message";

    /// <summary>Seals the alerts written before schema 9 (see <see cref="SecurityEventLog.SealLegacyRows"/>); a redacted one keeps its empty message.</summary>
    internal static int SealLegacyRows(Microsoft.Data.Sqlite.SqliteConnection connection, EventFields fields)
    {
        var alerts = DbRows.Query(connection, "SELECT id, source, account, message, at FROM alerts WHERE sealed = 0;",
            r => (Id: r.GetInt64(0), Source: DbRows.NullableString(r, 1), Account: DbRows.NullableString(r, 2), Message: r.GetString(3), At: DbTime.Read(r, 4)));
        foreach (var row in alerts)
        {
            var message = row.Message == SecurityEventLog.RedactedMessage ? string.Empty : fields.Seal(row.Message, MessageColumn, row.At);
            DbRows.Execute(connection, "UPDATE alerts SET source = $source, account = $account, message = $message, sealed = 1 WHERE id = $id;",
                ("$source", fields.Seal(row.Source, SourceColumn, row.At)), ("$account", fields.Seal(row.Account, AccountColumn, row.At)), ("$message", message), ("$id", row.Id));
        }

        return alerts.Count;
    }

    /// <summary>Marks an alert as seen and logs who did; false when no unacknowledged alert has this id.</summary>
    public bool Acknowledge(long id, string actor, string source)
    {
        bool changed;
        using (var connection = database.OpenConnection())
        {
            changed = DbRows.Execute(connection, "UPDATE alerts SET acknowledged_at = $now WHERE id = $id AND acknowledged_at IS NULL;",
                ("$now", DbTime.Format(time.GetUtcNow())), ("$id", id)) == 1;
        }

        if (changed)
        {
            events.Append(SecurityEventKinds.AlertAcknowledged, source, actor, id.ToString(CultureInfo.InvariantCulture));
        }

        return changed;
    }

    private async Task DeliverAsync(IAlertChannel channel, SecurityAlert alert)
    {
        try
        {
            await channel.SendAsync(alert, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogChannelFailed(logger, channel.GetType().Name, alert.Id);
        }
    }

    [LoggerMessage(EventId = 3100, Level = LogLevel.Warning, Message = "Security alert {Kind} raised for device {Serial} (alert {AlertId}).")]
    private static partial void LogAlert(ILogger logger, string kind, string serial, long alertId);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Error, Message = "Alert channel {Channel} failed to deliver alert {AlertId}.")]
    private static partial void LogChannelFailed(ILogger logger, string channel, long alertId);
}
