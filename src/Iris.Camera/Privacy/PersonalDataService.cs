using System.Globalization;
using Iris.Camera.Events;
using Iris.Camera.Media;
using Iris.Camera.Storage;

namespace Iris.Camera.Privacy;

/// <summary>
/// Deleting personal data (5.7.1.1), one kind or all, and the automatic purge of old security-log entries.
/// After a deletion the database's WAL is checkpointed and the file vacuumed (secure_delete is on), so deleted
/// rows do not survive in free pages or the journal. Each deletion is then logged, naming the kind only.
/// </summary>
internal sealed partial class PersonalDataService(
    CameraDatabase database,
    DataDirectory data,
    RecordingStore recordings,
    SecurityEventLog events,
    MediaOptions media,
    PrivacyOptions options,
    TimeProvider time,
    ILogger<PersonalDataService> logger) : BackgroundService
{
    public static readonly TimeSpan PurgeInterval = TimeSpan.FromHours(6);

    public IReadOnlyList<DataKind> Inventory => PersonalDataInventory.For(media, options);

    /// <summary>Deletes one kind (or every deletable kind when <paramref name="kind"/> is null); returns what went, per kind.</summary>
    public IReadOnlyDictionary<string, int> Delete(string? kind, long keepAccountId, string actor, string? source)
    {
        var kinds = kind is null ? PersonalDataInventory.Deletable : [kind];
        var removed = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var k in kinds)
        {
            removed[k] = k switch
            {
                PersonalDataInventory.Recordings => recordings.DeleteAll(),
                PersonalDataInventory.MotionEvents => Execute("DELETE FROM motion_events;"),
                PersonalDataInventory.Accounts => DeleteOtherAccounts(keepAccountId),
                PersonalDataInventory.SecurityLog => events.DeleteAll(),
                PersonalDataInventory.Telemetry => Execute("DELETE FROM telemetry_sent; DELETE FROM telemetry_consent;"),
                _ => throw new ArgumentOutOfRangeException(nameof(kind), k, "not a deletable kind"),
            };
        }

        Compact();
        events.Append(SecurityEventKinds.PersonalDataDeleted, source, actor,
            string.Join(", ", removed.Select(r => $"{r.Key} ({r.Value.ToString(CultureInfo.InvariantCulture)})")));
        return removed;
    }

    /// <summary>The tables and data-directory files that exist now (for the inventory check).</summary>
    public (IReadOnlyList<string> Tables, IReadOnlyList<string> Files) Stored()
    {
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name;";
        var tables = new List<string>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var files = Directory.EnumerateFiles(data.Root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(data.Root, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
        return (tables, files);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            PurgeSecurityLog();
            try
            {
                await Task.Delay(PurgeInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Removes security-log entries and alerts older than the retention period.</summary>
    public int PurgeSecurityLog()
    {
        var removed = events.PurgeBefore(time.GetUtcNow() - options.SecurityLogRetention);
        if (removed > 0)
        {
            Compact();
            events.Append(SecurityEventKinds.SecurityLogPurged, null, null,
                $"{removed.ToString(CultureInfo.InvariantCulture)} entries older than {options.SecurityLogRetention.TotalDays.ToString("0", CultureInfo.InvariantCulture)} days");
            LogPurged(logger, removed);
        }

        return removed;
    }

    private int DeleteOtherAccounts(long keepAccountId)
    {
        using var connection = database.OpenConnection();
        using var transaction = connection.BeginTransaction(deferred: false);
        using var command = connection.CreateCommand();
        command.CommandText = """
            DELETE FROM sessions WHERE account_id != $keep;
            DELETE FROM known_sources WHERE account NOT IN (SELECT username FROM accounts WHERE id = $keep);
            DELETE FROM accounts WHERE id != $keep;
            """;
        command.Parameters.AddWithValue("$keep", keepAccountId);
        command.ExecuteNonQuery();
        using var count = connection.CreateCommand();
        count.CommandText = "SELECT changes();";
        var removed = Convert.ToInt32(count.ExecuteScalar(), CultureInfo.InvariantCulture);
        transaction.Commit();
        return removed;
    }

    private int Execute(string sql)
    {
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }

    /// <summary>Moves the WAL into the database and rewrites it, so no deleted row survives in a free page or the journal.</summary>
    private void Compact()
    {
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE); VACUUM; PRAGMA wal_checkpoint(TRUNCATE);";
        command.ExecuteNonQuery();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Security log retention: {Count} old entries purged")]
    private static partial void LogPurged(ILogger logger, int count);
}
