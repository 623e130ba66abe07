using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Iris.Camera.Identity;
using Iris.Camera.Storage;

namespace Iris.Camera.Events;

/// <summary>A security event as recorded: never a password, token or key.</summary>
public sealed record SecurityEvent(long Id, DateTimeOffset At, string Kind, string Serial, string? Source, string? Account, string? Detail, string Hash);

/// <summary>Kinds of security event, as stored.</summary>
public static class SecurityEventKinds
{
    public const string LoginSucceeded = "login-succeeded";
    public const string LoginFailed = "login-failed";
    public const string LoginThrottled = "login-throttled";
    public const string Lockout = "lockout";
    public const string LoginRefused = "login-refused";
    public const string ReauthenticationFailed = "reauthentication-failed";
    public const string PasswordChanged = "password-changed";
    public const string PasswordReset = "password-reset";
    public const string Logout = "logout";
    public const string UserCreated = "user-created";
    public const string UserChanged = "user-changed";
    public const string UserDeleted = "user-deleted";
    public const string SessionsRevoked = "sessions-revoked";
    public const string DeviceClaimed = "device-claimed";
    public const string AlertAcknowledged = "alert-acknowledged";
    public const string SettingsChanged = "settings-changed";
    public const string RecordingsDeleted = "recordings-deleted";
    public const string UpdateInstalled = "update-installed";
    public const string UpdateRefused = "update-refused";
    public const string UpdateRolledBack = "update-rolled-back";
    public const string UpdateConfirmed = "update-confirmed";
    public const string PersonalDataDeleted = "personal-data-deleted";
    public const string SecurityLogPurged = "security-log-purged";
    public const string TelemetryConsentGranted = "telemetry-consent-granted";
    public const string TelemetryConsentWithdrawn = "telemetry-consent-withdrawn";
    public const string FactoryReset = "factory-reset";
}

/// <summary>
/// The security event log (5.8.1.1): every record names the device serial, and each record's hash covers the
/// previous record's hash, so changing, removing or reordering a past record breaks the chain at that point.
/// </summary>
internal sealed class SecurityEventLog(CameraDatabase database, DeviceIdentity identity, TimeProvider time)
{
    private static readonly byte[] GenesisHash = new byte[32];
    private readonly Lock _appendLock = new();

    public SecurityEvent Append(string kind, string? source, string? account, string? detail = null)
    {
        var at = time.GetUtcNow();
        lock (_appendLock)
        {
            using var connection = database.OpenConnection();
            using var transaction = connection.BeginTransaction(deferred: false);
            byte[] previous;
            using (var last = connection.CreateCommand())
            {
                last.CommandText = "SELECT hash FROM security_events ORDER BY id DESC LIMIT 1;";
                previous = last.ExecuteScalar() as byte[] ?? Anchor(connection);
            }

            var hash = ComputeHash(previous, at, kind, identity.Serial, source, account, detail);
            long id;
            using (var insert = connection.CreateCommand())
            {
                insert.CommandText = """
                    INSERT INTO security_events (at, kind, serial, source, account, detail, previous_hash, hash)
                    VALUES ($at, $kind, $serial, $source, $account, $detail, $previous, $hash) RETURNING id;
                    """;
                insert.Parameters.AddWithValue("$at", Format(at));
                insert.Parameters.AddWithValue("$kind", kind);
                insert.Parameters.AddWithValue("$serial", identity.Serial);
                insert.Parameters.AddWithValue("$source", (object?)source ?? DBNull.Value);
                insert.Parameters.AddWithValue("$account", (object?)account ?? DBNull.Value);
                insert.Parameters.AddWithValue("$detail", (object?)detail ?? DBNull.Value);
                insert.Parameters.AddWithValue("$previous", previous);
                insert.Parameters.AddWithValue("$hash", hash);
                id = Convert.ToInt64(insert.ExecuteScalar(), CultureInfo.InvariantCulture);
            }

            transaction.Commit();
            return new SecurityEvent(id, at, kind, identity.Serial, source, account, detail, Convert.ToHexStringLower(hash));
        }
    }

    public IReadOnlyList<SecurityEvent> Read(long afterId, int limit)
    {
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, at, kind, serial, source, account, detail, hash FROM security_events WHERE id > $after ORDER BY id LIMIT $limit;";
        command.Parameters.AddWithValue("$after", afterId);
        command.Parameters.AddWithValue("$limit", limit);
        using var reader = command.ExecuteReader();
        var events = new List<SecurityEvent>();
        while (reader.Read())
        {
            events.Add(new SecurityEvent(reader.GetInt64(0), Parse(reader.GetString(1)), reader.GetString(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6), Convert.ToHexStringLower((byte[])reader[7])));
        }

        return events;
    }

    /// <summary>Recomputes the chain; returns the id of the first record that does not verify, or null when all do.</summary>
    public long? FindFirstBrokenRecord()
    {
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, at, kind, serial, source, account, detail, previous_hash, hash FROM security_events ORDER BY id;";
        var expectedPrevious = Anchor(connection);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var previous = (byte[])reader[7];
            var stored = (byte[])reader[8];
            var recomputed = ComputeHash(previous, Parse(reader.GetString(1)), reader.GetString(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6));
            if (!CryptographicOperations.FixedTimeEquals(previous, expectedPrevious) || !CryptographicOperations.FixedTimeEquals(recomputed, stored))
            {
                return reader.GetInt64(0);
            }

            expectedPrevious = stored;
        }

        return null;
    }

    /// <summary>
    /// Retention (5.7.1.1): removes events and alerts older than <paramref name="cutoff"/>. The hash of the last
    /// removed event becomes the chain's anchor, so the records that remain still verify.
    /// </summary>
    public int PurgeBefore(DateTimeOffset cutoff)
    {
        lock (_appendLock)
        {
            using var connection = database.OpenConnection();
            using var transaction = connection.BeginTransaction(deferred: false);
            using var last = connection.CreateCommand();
            last.CommandText = "SELECT hash FROM security_events WHERE at < $cutoff ORDER BY id DESC LIMIT 1;";
            last.Parameters.AddWithValue("$cutoff", Format(cutoff));
            if (last.ExecuteScalar() is not byte[] anchor)
            {
                return 0;
            }

            using var delete = connection.CreateCommand();
            delete.CommandText = "DELETE FROM security_events WHERE at < $cutoff; DELETE FROM alerts WHERE at < $cutoff;";
            delete.Parameters.AddWithValue("$cutoff", Format(cutoff));
            var removed = delete.ExecuteNonQuery();
            SetAnchor(connection, anchor);
            transaction.Commit();
            return removed;
        }
    }

    /// <summary>The owner deletes the whole log and every alert; the next event starts a new chain.</summary>
    public int DeleteAll()
    {
        lock (_appendLock)
        {
            using var connection = database.OpenConnection();
            using var transaction = connection.BeginTransaction(deferred: false);
            using var delete = connection.CreateCommand();
            delete.CommandText = "DELETE FROM security_events; DELETE FROM alerts; DELETE FROM settings WHERE key = 'security-log.anchor';";
            var removed = delete.ExecuteNonQuery();
            transaction.Commit();
            return removed;
        }
    }

    private static byte[] Anchor(Microsoft.Data.Sqlite.SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM settings WHERE key = 'security-log.anchor';";
        return command.ExecuteScalar() is string hex ? Convert.FromHexString(hex) : GenesisHash;
    }

    private void SetAnchor(Microsoft.Data.Sqlite.SqliteConnection connection, byte[] anchor)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO settings (key, value, updated_at) VALUES ('security-log.anchor', $value, $now)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at;
            """;
        command.Parameters.AddWithValue("$value", Convert.ToHexStringLower(anchor));
        command.Parameters.AddWithValue("$now", Format(time.GetUtcNow()));
        command.ExecuteNonQuery();
    }

    private static byte[] ComputeHash(byte[] previous, DateTimeOffset at, string kind, string serial, string? source, string? account, string? detail)
    {
        // Length-prefixed fields, so no two different records serialise to the same bytes.
        var text = new StringBuilder();
        foreach (var field in new[] { Format(at), kind, serial, source ?? "\u0000", account ?? "\u0000", detail ?? "\u0000" })
        {
            text.Append(field.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(field).Append(';');
        }

        var body = Encoding.UTF8.GetBytes(text.ToString());
        var input = new byte[previous.Length + body.Length];
        previous.CopyTo(input, 0);
        body.CopyTo(input, previous.Length);
        return SHA256.HashData(input);
    }

    private static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset Parse(string at) => DateTimeOffset.Parse(at, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}
