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

/// <summary>Whether the log verifies; when it does not, the first record that fails or what else is wrong.</summary>
public sealed record ChainStatus(bool Intact, long? FirstBrokenRecord, string? Problem);

/// <summary>
/// The security event log (5.8.1.1): every record names the device serial, and each record's hash covers the
/// previous record's hash, so changing, removing or reordering a past record breaks the chain at that point. The
/// chain's head (its anchor, last record and last hash) is signed with the device key after every change, so
/// cutting records off the end, or rebuilding the whole chain without the key, is detected too. Records leave
/// the log only through retention (<see cref="PurgeBefore"/>), which signs the new anchor.
/// </summary>
internal sealed class SecurityEventLog(CameraDatabase database, DeviceIdentity identity, SecurityLogHead head, TimeProvider time, EventFields fields)
{
    private static readonly byte[] GenesisHash = new byte[32];
    private const string AnchorSetting = "security-log.anchor";
    private readonly Lock _appendLock = new();

    private GroupCommit<PendingEvent, SecurityEvent>? _commits;

    /// <summary>Appends a record and returns once it is committed; concurrent appends share one commit.</summary>
    public SecurityEvent Append(string kind, string? source, string? account, string? detail = null) =>
        GroupCommits.Submit(new PendingEvent(time.GetUtcNow(), kind, source, account, detail));

    /// <summary>The log's group commit (<see cref="GroupCommit{TItem, TResult}"/>): its batch count is visible to tests.</summary>
    internal GroupCommit<PendingEvent, SecurityEvent> GroupCommits => LazyInitializer.EnsureInitialized(ref _commits, () => new(WriteBatch));

    internal sealed record PendingEvent(DateTimeOffset At, string Kind, string? Source, string? Account, string? Detail);

    private List<SecurityEvent> WriteBatch(IReadOnlyList<PendingEvent> batch)
    {
        // The append lock first, then the writer queue: never the other way round, so no two locks cross.
        lock (_appendLock)
        {
            return database.Writers.Run(() => WriteBatchInTurn(batch));
        }
    }

    private List<SecurityEvent> WriteBatchInTurn(IReadOnlyList<PendingEvent> batch)
    {
        using var connection = database.OpenConnection();
        using var transaction = connection.BeginTransaction(deferred: false);
        byte[] previous;
        using (var last = connection.CreateCommand())
        {
            last.CommandText = "SELECT hash FROM security_events ORDER BY id DESC LIMIT 1;";
            previous = last.ExecuteScalar() as byte[] ?? Anchor(connection);
        }

        // The head moves on only from the record it was signed for: a log changed behind the daemon's back
        // keeps its stale head, so the change stays detectable instead of being signed over.
        var headIsCurrent = SecurityLogHead.IsFor(connection, previous, LastRecord(connection) is null);
        var written = new List<SecurityEvent>(batch.Count);
        long id = 0;
        foreach (var (at, kind, source, account, detail) in batch)
        {
            var salt = RandomNumberGenerator.GetBytes(SecurityLogChain.SaltLength);
            var commitments = SecurityLogChain.Commit(salt, source, account, detail);
            var hash = SecurityLogChain.Hash(previous, Format(at), kind, identity.Serial, commitments);
            using (var insert = connection.CreateCommand())
            {
                insert.CommandText = """
                    INSERT INTO security_events (at, kind, serial, source, account, detail, previous_hash, hash, salt, commitments, sealed)
                    VALUES ($at, $kind, $serial, $source, $account, $detail, $previous, $hash, $salt, $commitments, 1) RETURNING id;
                    """;
                insert.Parameters.AddWithValue("$salt", fields.SealSalt(salt, at));
                insert.Parameters.AddWithValue("$commitments", commitments);
                insert.Parameters.AddWithValue("$at", Format(at));
                insert.Parameters.AddWithValue("$kind", kind);
                insert.Parameters.AddWithValue("$serial", identity.Serial);
                insert.Parameters.AddWithValue("$source", (object?)fields.Seal(source, SourceColumn, at) ?? DBNull.Value);
                insert.Parameters.AddWithValue("$account", (object?)fields.Seal(account, AccountColumn, at) ?? DBNull.Value);
                insert.Parameters.AddWithValue("$detail", (object?)fields.Seal(detail, DetailColumn, at) ?? DBNull.Value);
                insert.Parameters.AddWithValue("$previous", previous);
                insert.Parameters.AddWithValue("$hash", hash);
                id = Convert.ToInt64(insert.ExecuteScalar(), CultureInfo.InvariantCulture);
            }

            previous = hash;
            written.Add(new SecurityEvent(id, at, kind, identity.Serial, source, account, detail, Convert.ToHexStringLower(hash)));
        }

        // One signature for the batch: the head ends up where signing after each record would have left it.
        if (headIsCurrent)
        {
            head.Sign(connection, Anchor(connection), id, previous);
        }

        transaction.Commit();
        return written;
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
                fields.Open(DbRows.NullableString(reader, 4), SourceColumn, reader.GetString(1)), fields.Open(DbRows.NullableString(reader, 5), AccountColumn, reader.GetString(1)),
                fields.Open(DbRows.NullableString(reader, 6), DetailColumn, reader.GetString(1)), Convert.ToHexStringLower((byte[])reader[7])));
        }

        return events;
    }

    /// <summary>
    /// Recomputes the chain from its anchor and checks the signed head: a changed, removed or reordered record,
    /// records cut off the end, a moved anchor, or a chain rebuilt without the device key all fail.
    /// </summary>
    public ChainStatus Verify()
    {
        using var connection = database.OpenConnection();
        var anchor = Anchor(connection);
        var expectedPrevious = anchor;
        long? lastId = null;
        foreach (var row in ChainRows(connection))
        {
            if (!CryptographicOperations.FixedTimeEquals(row.PreviousHash, expectedPrevious) || !SecurityLogChain.Verifies(row))
            {
                return new ChainStatus(false, row.Id, "A record was changed, removed or reordered.");
            }

            expectedPrevious = row.Hash;
            lastId = row.Id;
        }

        var signedHead = SecurityLogHead.Read(connection);
        if (signedHead is null)
        {
            return lastId is null
                ? new ChainStatus(true, null, null)
                : new ChainStatus(false, null, "The log has no signed head.");
        }

        if (!head.Matches(signedHead, anchor, lastId ?? 0, expectedPrevious))
        {
            return new ChainStatus(false, null, "The log does not end where its signed head says: records were cut off, or the chain was rebuilt.");
        }

        return new ChainStatus(true, null, null);
    }

    /// <summary>The id of the first record that does not verify, or null when the chain verifies (head included).</summary>
    public long? FindFirstBrokenRecord() => Verify() switch
    {
        { Intact: true } => null,
        { FirstBrokenRecord: { } id } => id,
        _ => 0,
    };

    /// <summary>
    /// A log written by software that did not sign its head gets one, once its chain verifies; from then on the
    /// head is kept with every change.
    /// </summary>
    public void EnsureSignedHead()
    {
        lock (_appendLock)
        {
            using var connection = database.OpenConnection();
            var rows = ChainRows(connection);
            var legacy = rows.Any(r => r.Commitments is null);
            if ((SecurityLogHead.Read(connection) is not null && !legacy) || rows.Count == 0)
            {
                return;
            }

            // A broken chain stays reported as broken: it is never re-chained or signed over.
            var anchor = Anchor(connection);
            var expected = anchor;
            foreach (var row in rows)
            {
                if (!CryptographicOperations.FixedTimeEquals(row.PreviousHash, expected) || !SecurityLogChain.Verifies(row))
                {
                    return;
                }

                expected = row.Hash;
            }

            using var transaction = connection.BeginTransaction(deferred: false);
            var previous = anchor;
            foreach (var row in rows)
            {
                // Records from before commitments existed are re-chained with them, so they can be redacted later.
                var salt = row.Salt ?? RandomNumberGenerator.GetBytes(SecurityLogChain.SaltLength);
                var commitments = row.Commitments ?? SecurityLogChain.Commit(salt, row.Source, row.Account, row.Detail);
                var hash = SecurityLogChain.Hash(previous, row.At, row.Kind, row.Serial, commitments);
                DbRows.Execute(connection, """
                    UPDATE security_events SET previous_hash = $previous, hash = $hash, salt = $salt, commitments = $commitments,
                        source = $source, account = $account, detail = $detail, sealed = 1 WHERE id = $id;
                    """,
                    ("$previous", previous), ("$hash", hash), ("$salt", fields.SealSalt(row.Commitments is null ? salt : row.Salt, DbTime.Parse(row.At))), ("$commitments", commitments),
                    ("$source", fields.Seal(row.Source, SourceColumn, DbTime.Parse(row.At))), ("$account", fields.Seal(row.Account, AccountColumn, DbTime.Parse(row.At))),
                    ("$detail", fields.Seal(row.Detail, DetailColumn, DbTime.Parse(row.At))), ("$id", row.Id));
                previous = hash;
            }

            head.Sign(connection, anchor, rows[^1].Id, previous);
            transaction.Commit();
        }
    }

    /// <summary>
    /// Seals the personal fields of records and alerts written before schema 9, in one transaction; the chain does
    /// not change (it covers commitments to the plaintext, not the stored bytes). Returns how many rows were sealed.
    /// </summary>
    public int SealLegacyRows()
    {
        lock (_appendLock)
        {
            using var connection = database.OpenConnection();
            using var transaction = connection.BeginTransaction(deferred: false);
            var events = DbRows.Query(connection, "SELECT id, source, account, detail, salt, at FROM security_events WHERE sealed = 0;",
                r => (Id: r.GetInt64(0), Source: DbRows.NullableString(r, 1), Account: DbRows.NullableString(r, 2), Detail: DbRows.NullableString(r, 3),
                    Salt: r.IsDBNull(4) ? null : (byte[])r[4], At: DbTime.Read(r, 5)));
            foreach (var row in events)
            {
                DbRows.Execute(connection, "UPDATE security_events SET source = $source, account = $account, detail = $detail, salt = $salt, sealed = 1 WHERE id = $id;",
                    ("$source", fields.Seal(row.Source, SourceColumn, row.At)), ("$account", fields.Seal(row.Account, AccountColumn, row.At)),
                    ("$detail", fields.Seal(row.Detail, DetailColumn, row.At)), ("$salt", fields.SealSalt(row.Salt, row.At)), ("$id", row.Id));
            }

            var alerts = AlertCenter.SealLegacyRows(connection, fields);
            transaction.Commit();
            return events.Count + alerts;
        }
    }

    /// <summary>
    /// The owner's deletion of personal data (5.7.1.1): account names, addresses and details leave every record and
    /// alert, while the records, their order and the signed chain stay as evidence. Each record's salt goes too, so
    /// its commitments can no longer confirm a guessed value.
    /// </summary>
    public int RedactPersonalFields()
    {
        lock (_appendLock)
        {
            using var connection = database.OpenConnection();
            using var transaction = connection.BeginTransaction(deferred: false);
            var redacted = DbRows.Execute(connection,
                "UPDATE security_events SET source = NULL, account = NULL, detail = NULL, salt = NULL WHERE salt IS NOT NULL OR source IS NOT NULL OR account IS NOT NULL OR detail IS NOT NULL;");
            // A redacted alert's message is empty (the inbox shows RedactedMessage): nothing is left sealed under the old key.
            redacted += DbRows.Execute(connection,
                "UPDATE alerts SET source = NULL, account = NULL, message = '' WHERE source IS NOT NULL OR account IS NOT NULL OR message != '';");
            transaction.Commit();

            // Copies of the records from before the redaction (WAL frames, free blocks) were sealed under this key.
            fields.DestroyAllKeys();
            return redacted;
        }
    }

    /// <summary>
    /// A deleted account's part of the log (outside review of issue 12, F4): its name and addresses leave every
    /// record it made (source, account, detail), and a detail naming it leaves the records others made about it;
    /// the records, their order and the chain stay as evidence (a redacted field is not committed to any more, and
    /// a record with nothing left loses its salt). Alerts about it lose their source, account and message. The
    /// caller scrubs the WAL afterwards. Returns the records and alerts changed.
    /// </summary>
    public int RedactAccount(string username)
    {
        lock (_appendLock)
        {
            using var connection = database.OpenConnection();
            using var transaction = connection.BeginTransaction(deferred: false);
            var changed = 0;
            var rows = DbRows.Query(connection, "SELECT id, at, source, account, detail FROM security_events WHERE sealed = 1;",
                r => (Id: r.GetInt64(0), At: r.GetString(1), Source: DbRows.NullableString(r, 2), Account: DbRows.NullableString(r, 3), Detail: DbRows.NullableString(r, 4)));
            foreach (var row in rows)
            {
                var theirs = string.Equals(fields.Open(row.Account, AccountColumn, row.At), username, StringComparison.OrdinalIgnoreCase);
                // A detail naming them ("NAME as Viewer") goes whole: over-redacting a detail loses no evidence of what happened.
                var aboutThem = fields.Open(row.Detail, DetailColumn, row.At)?.Contains(username, StringComparison.OrdinalIgnoreCase) == true;
                if (theirs)
                {
                    changed += DbRows.Execute(connection, "UPDATE security_events SET source = NULL, account = NULL, detail = NULL, salt = NULL WHERE id = $id;", ("$id", row.Id));
                }
                else if (aboutThem)
                {
                    changed += DbRows.Execute(connection,
                        "UPDATE security_events SET detail = NULL, salt = CASE WHEN source IS NULL AND account IS NULL THEN NULL ELSE salt END WHERE id = $id;", ("$id", row.Id));
                }
            }

            var alerts = DbRows.Query(connection, "SELECT id, at, account FROM alerts WHERE sealed = 1 AND account IS NOT NULL;",
                r => (Id: r.GetInt64(0), At: r.GetString(1), Account: r.GetString(2)));
            foreach (var alert in alerts.Where(a => string.Equals(fields.Open(a.Account, AlertCenter.AccountColumn, a.At), username, StringComparison.OrdinalIgnoreCase)))
            {
                changed += DbRows.Execute(connection, "UPDATE alerts SET source = NULL, account = NULL, message = '' WHERE id = $id;", ("$id", alert.Id));
            }

            transaction.Commit();
            return changed;
        }
    }

    public const string RedactedMessage = "(redacted at the owner's request)";

    /// <summary>The chain as stored, with sealed fields opened (rows of before schema 9, not yet sealed, as they are).</summary>
    private List<ChainRow> ChainRows(Microsoft.Data.Sqlite.SqliteConnection connection) =>
        DbRows.Query(connection,
            "SELECT id, at, kind, serial, source, account, detail, previous_hash, hash, salt, commitments, sealed FROM security_events ORDER BY id;",
            r => r.GetInt64(11) == 1
                ? new ChainRow(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), fields.Open(DbRows.NullableString(r, 4), SourceColumn, r.GetString(1)),
                    fields.Open(DbRows.NullableString(r, 5), AccountColumn, r.GetString(1)), fields.Open(DbRows.NullableString(r, 6), DetailColumn, r.GetString(1)), (byte[])r[7], (byte[])r[8],
                    fields.OpenSalt(r.IsDBNull(9) ? null : (byte[])r[9], r.GetString(1)), r.IsDBNull(10) ? null : (byte[])r[10])
                : new ChainRow(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), DbRows.NullableString(r, 4), DbRows.NullableString(r, 5),
                    DbRows.NullableString(r, 6), (byte[])r[7], (byte[])r[8], r.IsDBNull(9) ? null : (byte[])r[9], r.IsDBNull(10) ? null : (byte[])r[10]));

    internal const string SourceColumn = "security_events.source";
    internal const string AccountColumn = "security_events.account";
    internal const string DetailColumn = "security_events.detail";

    private static (long Id, byte[] Hash)? LastRecord(Microsoft.Data.Sqlite.SqliteConnection connection) =>
        DbRows.Query(connection, "SELECT id, hash FROM security_events ORDER BY id DESC LIMIT 1;", r => (r.GetInt64(0), (byte[])r[1])) is [var last] ? last : null;

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
            if (DbRows.Scalar(connection, "SELECT hash FROM security_events WHERE at < $cutoff ORDER BY id DESC LIMIT 1;", ("$cutoff", Format(cutoff))) is not byte[] anchor)
            {
                return 0;
            }

            var removed = DbRows.Execute(connection, "DELETE FROM security_events WHERE at < $cutoff; DELETE FROM alerts WHERE at < $cutoff;", ("$cutoff", Format(cutoff)));
            SetAnchor(connection, anchor);
            var last = LastRecord(connection);
            head.Sign(connection, anchor, last?.Id ?? 0, last?.Hash ?? anchor);
            transaction.Commit();
            DestroyEmptyMonths(connection);
            return removed;
        }
    }

    /// <summary>At start: destroys the keys of months left empty by a purge or a deletion a crash cut short.</summary>
    public void DestroyEmptyMonthKeys()
    {
        lock (_appendLock)
        {
            using var connection = database.OpenConnection();
            DestroyEmptyMonths(connection);
        }
    }

    /// <summary>
    /// Destroys the key of every month (but the current one) that no record or alert is left in: what retention
    /// removed, a copy kept in free blocks or by a never-overwriting medium, no longer opens. A key left by a crash
    /// between the removal and this goes at the next purge.
    /// </summary>
    private void DestroyEmptyMonths(Microsoft.Data.Sqlite.SqliteConnection connection)
    {
        var current = EventFields.KeyFor(time.GetUtcNow())[EventFields.MonthKeyPrefix.Length..];
        foreach (var month in fields.KeyedMonths().Where(m => m != current).ToList())
        {
            if (!DateTimeOffset.TryParseExact(month, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var start))
            {
                continue;
            }

            var range = new (string, object?)[] { ("$from", Format(start)), ("$to", Format(start.AddMonths(1))) };
            var left = Convert.ToInt64(DbRows.Scalar(connection,
                "SELECT (SELECT COUNT(*) FROM security_events WHERE at >= $from AND at < $to) + (SELECT COUNT(*) FROM alerts WHERE at >= $from AND at < $to);", range),
                CultureInfo.InvariantCulture);
            if (left == 0)
            {
                fields.DestroyMonth(month);
            }
        }
    }

    /// <summary>
    /// Moves the records and alerts sealed under the single key of schema 9 to their months' keys, in one
    /// transaction, then scrubs the WAL and destroys the old key. Idempotent: a field that no longer opens with the
    /// old key was moved by a run a crash cut short. Returns the rows moved.
    /// </summary>
    public int MoveToMonthKeys()
    {
        if (fields.LegacyKey() is not { } legacy)
        {
            return 0;
        }

        int moved;
        lock (_appendLock)
        {
            using var connection = database.OpenConnection();
            using var transaction = connection.BeginTransaction(deferred: false);
            moved = EventKeyHolder.ResealRows(connection, legacy, fields.MonthKey);
            transaction.Commit();
        }

        database.Compact();
        fields.DestroyLegacyKey();
        return moved;
    }

    private static byte[] Anchor(Microsoft.Data.Sqlite.SqliteConnection connection) =>
        CameraDatabase.GetSetting(connection, AnchorSetting) is { } hex ? Convert.FromHexString(hex) : GenesisHash;

    private void SetAnchor(Microsoft.Data.Sqlite.SqliteConnection connection, byte[] anchor) =>
        CameraDatabase.SetSetting(connection, AnchorSetting, Convert.ToHexStringLower(anchor), time.GetUtcNow());

    private static string Format(DateTimeOffset at) => DbTime.Format(at);

    private static DateTimeOffset Parse(string at) => DbTime.Parse(at);
}
