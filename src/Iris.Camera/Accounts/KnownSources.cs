using System.Collections.Frozen;
using System.Globalization;
using Iris.Camera.Storage;
using Iris.Camera.Web;

namespace Iris.Camera.Accounts;

/// <summary>Sources each account has signed in from, for the new-source alert and the owner's throttle bucket.</summary>
internal sealed class KnownSources(CameraDatabase database, TimeProvider time) : IKnownSourceDirectory
{
    private static readonly TimeSpan SnapshotAge = TimeSpan.FromSeconds(30);
    private readonly Lock _lock = new();
    private FrozenSet<string>? _anyAccount;
    private DateTimeOffset _loadedAt;

    public bool IsKnown(string account, string source)
    {
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT EXISTS (SELECT 1 FROM known_sources WHERE account = $a AND source = $s);";
        command.Parameters.AddWithValue("$a", account);
        command.Parameters.AddWithValue("$s", source);
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

            return _anyAccount.Contains(source);
        }
    }

    public bool HasAny(string account)
    {
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT EXISTS (SELECT 1 FROM known_sources WHERE account = $a);";
        command.Parameters.AddWithValue("$a", account);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) == 1;
    }

    public void Remember(string account, string source)
    {
        using (var connection = database.OpenConnection())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "INSERT INTO known_sources (account, source, first_seen_at) VALUES ($a, $s, $now) ON CONFLICT DO NOTHING;";
            command.Parameters.AddWithValue("$a", account);
            command.Parameters.AddWithValue("$s", source);
            command.Parameters.AddWithValue("$now", time.GetUtcNow().UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            command.ExecuteNonQuery();
        }

        lock (_lock)
        {
            _anyAccount = null; // Reloaded at the next question, with this source in it.
        }
    }

    private FrozenSet<string> LoadAll()
    {
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT DISTINCT source FROM known_sources;";
        using var reader = command.ExecuteReader();
        var sources = new List<string>();
        while (reader.Read())
        {
            sources.Add(reader.GetString(0));
        }

        return sources.ToFrozenSet(StringComparer.Ordinal);
    }
}
