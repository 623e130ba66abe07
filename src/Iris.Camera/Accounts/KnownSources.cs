using System.Collections.Frozen;
using System.Globalization;
using Iris.Camera.Storage;
using Iris.Camera.Web;

namespace Iris.Camera.Accounts;

/// <summary>
/// Sources each account has signed in from, for the new-source alert and the owner's throttle bucket. Neither the
/// account nor the address is stored: a row is the account name's blind index and the address's HMAC under that
/// account's own key (<see cref="AccountCipher"/>), so once the account is deleted no copy of a row can be tested
/// against guessed addresses.
/// </summary>
internal sealed class KnownSources(CameraDatabase database, TimeProvider time, AccountCipher cipher) : IKnownSourceDirectory
{
    private static readonly TimeSpan SnapshotAge = TimeSpan.FromSeconds(30);
    private readonly Lock _lock = new();
    private IReadOnlyList<(string KeyId, FrozenSet<string> Sources)>? _anyAccount;
    private DateTimeOffset _loadedAt;

    public bool IsKnown(string account, string source)
    {
        using var connection = database.OpenConnection();
        var index = cipher.UsernameIndex(account);
        if (KeyIdOf(connection, index) is not { } keyId)
        {
            return false;
        }

        using var command = connection.CreateCommand();
        command.CommandText = "SELECT EXISTS (SELECT 1 FROM known_sources WHERE account = $a AND source = $s);";
        command.Parameters.AddWithValue("$a", index);
        command.Parameters.AddWithValue("$s", cipher.SourceIndex(keyId, source));
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) == 1;
    }

    /// <summary>
    /// Whether any account has signed in from the source. Asked before every nonce, so it is answered from memory
    /// (reloaded every 30 s, and at once for sources remembered here) instead of a query per request of a flood.
    /// </summary>
    public bool IsKnownSource(string source)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (_anyAccount is null || now - _loadedAt >= SnapshotAge || now < _loadedAt)
            {
                _anyAccount = LoadAll();
                _loadedAt = now;
            }

            foreach (var (keyId, sources) in _anyAccount)
            {
                if (sources.Contains(cipher.SourceIndex(keyId, source)))
                {
                    return true;
                }
            }

            return false;
        }
    }

    public bool HasAny(string account)
    {
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT EXISTS (SELECT 1 FROM known_sources WHERE account = $a);";
        command.Parameters.AddWithValue("$a", cipher.UsernameIndex(account));
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) == 1;
    }

    public void Remember(string account, string source)
    {
        using (var connection = database.OpenConnection())
        using (var command = connection.CreateCommand())
        {
            var index = cipher.UsernameIndex(account);
            if (KeyIdOf(connection, index) is not { } keyId)
            {
                return;
            }

            command.CommandText = "INSERT INTO known_sources (account, source, first_seen_at) VALUES ($a, $s, $now) ON CONFLICT DO NOTHING;";
            command.Parameters.AddWithValue("$a", index);
            command.Parameters.AddWithValue("$s", cipher.SourceIndex(keyId, source));
            command.Parameters.AddWithValue("$now", time.GetUtcNow().UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            // Even a row already there takes SQLite's write lock: queue with the flood's writers, not in the busy handler.
            database.Writers.Run(command.ExecuteNonQuery);
        }

        lock (_lock)
        {
            _anyAccount = null; // Reloaded at the next question, with this source in it.
        }
    }

    private List<(string KeyId, FrozenSet<string> Sources)> LoadAll()
    {
        using var connection = database.OpenConnection();
        return [.. DbRows.Query(connection, "SELECT a.key_id, k.source FROM known_sources k JOIN accounts a ON a.username = k.account WHERE a.key_id IS NOT NULL;",
                r => (KeyId: r.GetString(0), Source: r.GetString(1)))
            .GroupBy(r => r.KeyId, StringComparer.Ordinal)
            .Select(g => (g.Key, g.Select(r => r.Source).ToFrozenSet(StringComparer.Ordinal)))];
    }

    private static string? KeyIdOf(Microsoft.Data.Sqlite.SqliteConnection connection, string usernameIndex) =>
        DbRows.Scalar(connection, "SELECT key_id FROM accounts WHERE username = $u;", ("$u", usernameIndex)) as string;
}
