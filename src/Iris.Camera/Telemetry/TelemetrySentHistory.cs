using System.Globalization;
using Iris.Camera.Storage;

namespace Iris.Camera.Telemetry;

/// <summary>
/// What was sent, for the owner to inspect: the last <see cref="Kept"/> payloads with time and result. The only
/// code that runs SQL on <c>telemetry_sent</c>.
/// </summary>
internal sealed class TelemetrySentHistory(CameraDatabase database, TimeProvider time)
{
    public const int Kept = 100;

    public void Add(string payloadJson, string result)
    {
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO telemetry_sent (at, payload, result) VALUES ($at, $payload, $result);
            DELETE FROM telemetry_sent WHERE id NOT IN (SELECT id FROM telemetry_sent ORDER BY id DESC LIMIT $keep);
            """;
        command.Parameters.AddWithValue("$at", time.GetUtcNow().UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$payload", payloadJson);
        command.Parameters.AddWithValue("$result", result);
        command.Parameters.AddWithValue("$keep", Kept);
        command.ExecuteNonQuery();
    }

    public DateTimeOffset? LastSentAt()
    {
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT at FROM telemetry_sent ORDER BY id DESC LIMIT 1;";
        return command.ExecuteScalar() is string at ? DateTimeOffset.Parse(at, CultureInfo.InvariantCulture) : null;
    }

    /// <summary>Deletes the whole history; returns how many payloads went.</summary>
    public int Count()
    {
        using var connection = database.OpenConnection();
        return Convert.ToInt32(DbRows.Scalar(connection, "SELECT COUNT(*) FROM telemetry_sent;"), System.Globalization.CultureInfo.InvariantCulture);
    }

    public int DeleteAll()
    {
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM telemetry_sent;";
        return command.ExecuteNonQuery();
    }
}
