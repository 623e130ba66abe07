using System.Globalization;
using System.Security.Cryptography;
using Iris.Camera.Storage;
using Microsoft.Data.Sqlite;

namespace Iris.Camera.Accounts;

/// <summary>A signed-in session as the pipeline sees it. Tokens themselves are never stored.</summary>
public sealed record CameraSession(long AccountId, string Username, Role Role, bool MustChangePassword, byte[] TokenHash, byte[] CsrfHash);

/// <summary>New session secrets, returned once to the client.</summary>
public sealed record IssuedSession(string Token, string CsrfToken);

/// <summary>
/// Server-side sessions (5.1.1.3): 256-bit random tokens, stored only as SHA-256, with idle and absolute
/// timeouts checked on every request; revocable one by one or per account.
/// </summary>
internal sealed class SessionStore(CameraDatabase database, TimeProvider time, AccountsOptions options, AccountCipher cipher)
{
    private static readonly TimeSpan TouchInterval = TimeSpan.FromSeconds(30);

    public IssuedSession Create(long accountId, string source)
    {
        var token = NewSecret();
        var csrf = NewSecret();
        using var connection = database.OpenConnection();
        // The address is sealed under the account's key, so it goes with the account's erasure.
        var keyId = DbRows.Scalar(connection, "SELECT key_id FROM accounts WHERE id = $a;", ("$a", accountId)) as string
            ?? throw new InvalidOperationException("A session needs an encrypted account.");
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO sessions (token_hash, account_id, csrf_hash, source, created_at, last_seen_at) VALUES ($t, $a, $c, $s, $now, $now);";
        command.Parameters.AddWithValue("$t", HashOf(token));
        command.Parameters.AddWithValue("$a", accountId);
        command.Parameters.AddWithValue("$c", HashOf(csrf));
        command.Parameters.AddWithValue("$s", cipher.SealSource(keyId, source));
        command.Parameters.AddWithValue("$now", Format(time.GetUtcNow()));
        // The owner's insert during a flood: it waits for the writers ahead of it, never in SQLite's busy handler.
        database.Writers.Run(command.ExecuteNonQuery);
        return new IssuedSession(token, csrf);
    }

    /// <summary>The live session for a token, or null (unknown, expired, or its account disabled). Expired ones are removed.</summary>
    public CameraSession? Find(string token) =>
        token.Length is < 40 or > 64 ? null : FindByHash(HashOf(token));

    /// <summary>Whether a session is still live; long-running responses (live video) re-check with this.</summary>
    public bool IsLive(byte[] tokenHash) => FindByHash(tokenHash) is not null;

    private CameraSession? FindByHash(byte[] tokenHash)
    {
        using var connection = database.OpenConnection();
        DateTimeOffset createdAt, lastSeenAt;
        CameraSession session;
        using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT s.account_id, a.key_id, a.role, a.must_change_password, a.disabled, s.csrf_hash, s.created_at, s.last_seen_at, a.sealed
                FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.token_hash = $t AND a.sealed IS NOT NULL;
                """;
            command.Parameters.AddWithValue("$t", tokenHash);
            using var reader = command.ExecuteReader();
            if (!reader.Read())
            {
                return null;
            }

            if (reader.GetInt64(4) == 1)
            {
                return null;
            }

            if (cipher.Open(reader.GetString(1), (byte[])reader[8]) is not { } account)
            {
                return null;
            }

            session = new CameraSession(reader.GetInt64(0), account.Username, RoleNames.FromDatabase(reader.GetString(2)),
                reader.GetInt64(3) == 1, tokenHash, (byte[])reader[5]);
            createdAt = Parse(reader.GetString(6));
            lastSeenAt = Parse(reader.GetString(7));
        }

        var now = time.GetUtcNow();
        if (now - createdAt > options.SessionAbsoluteTimeout || now - lastSeenAt > options.SessionIdleTimeout)
        {
            Revoke(connection, tokenHash);
            return null;
        }

        if (now - lastSeenAt > TouchInterval)
        {
            using var touch = connection.CreateCommand();
            touch.CommandText = "UPDATE sessions SET last_seen_at = $now WHERE token_hash = $t;";
            touch.Parameters.AddWithValue("$now", Format(now));
            touch.Parameters.AddWithValue("$t", tokenHash);
            touch.ExecuteNonQuery();
        }

        return session;
    }

    /// <summary>
    /// Removes every session past its idle or absolute timeout (with the address it came from), then scrubs the
    /// WAL so the rows leave no copy behind; returns how many went. Expired sessions are otherwise removed only when
    /// their token is presented again, which an abandoned browser never does.
    /// </summary>
    public int PurgeExpired()
    {
        var now = time.GetUtcNow();
        int removed;
        using (var connection = database.OpenConnection())
        {
            removed = DbRows.Execute(connection, "DELETE FROM sessions WHERE created_at < $created OR last_seen_at < $seen;",
                ("$created", Format(now - options.SessionAbsoluteTimeout)), ("$seen", Format(now - options.SessionIdleTimeout)));
        }

        if (removed > 0)
        {
            database.Compact();
        }

        return removed;
    }

    public static bool CsrfMatches(CameraSession session, string? presented) =>
        presented is { Length: > 0 and <= 64 } && CryptographicOperations.FixedTimeEquals(HashOf(presented), session.CsrfHash);

    public void Revoke(byte[] tokenHash)
    {
        using var connection = database.OpenConnection();
        Revoke(connection, tokenHash);
    }

    public static void RevokeAllOf(SqliteConnection connection, long accountId, byte[]? keepTokenHash)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM sessions WHERE account_id = $a AND ($keep IS NULL OR token_hash <> $keep);";
        command.Parameters.AddWithValue("$a", accountId);
        command.Parameters.AddWithValue("$keep", (object?)keepTokenHash ?? DBNull.Value);
        command.ExecuteNonQuery();
    }

    internal static byte[] HashOf(string secret) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret));

    private static void Revoke(SqliteConnection connection, byte[] tokenHash)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM sessions WHERE token_hash = $t;";
        command.Parameters.AddWithValue("$t", tokenHash);
        command.ExecuteNonQuery();
    }

    private static string NewSecret() => Base64Url(RandomNumberGenerator.GetBytes(32));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset Parse(string at) => DateTimeOffset.Parse(at, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}
