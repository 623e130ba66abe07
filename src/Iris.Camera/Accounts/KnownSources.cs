using System.Globalization;
using Iris.Camera.Storage;

namespace Iris.Camera.Accounts;

/// <summary>Sources each account has signed in from, for the new-source alert and the owner's throttle bucket.</summary>
internal sealed class KnownSources(CameraDatabase database, TimeProvider time)
{
    public bool IsKnown(string account, string source)
    {
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT EXISTS (SELECT 1 FROM known_sources WHERE account = $a AND source = $s);";
        command.Parameters.AddWithValue("$a", account);
        command.Parameters.AddWithValue("$s", source);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) == 1;
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
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO known_sources (account, source, first_seen_at) VALUES ($a, $s, $now) ON CONFLICT DO NOTHING;";
        command.Parameters.AddWithValue("$a", account);
        command.Parameters.AddWithValue("$s", source);
        command.Parameters.AddWithValue("$now", time.GetUtcNow().UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        command.ExecuteNonQuery();
    }
}
