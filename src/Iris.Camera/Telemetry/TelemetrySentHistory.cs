using System.Globalization;
using Iris.Camera.Storage;

namespace Iris.Camera.Telemetry;

/// <summary>
/// What was sent, for the owner to inspect: the last <see cref="Kept"/> payloads with time and result. The only
/// code that runs SQL on <c>telemetry_sent</c>. Payloads are sealed under the <see cref="KeyName"/> field key, which
/// deleting the history destroys, so no carved copy of a payload opens afterwards.
/// </summary>
internal sealed class TelemetrySentHistory(CameraDatabase database, TimeProvider time, IDataKeys keys)
{
    public const int Kept = 100;

    /// <summary>The field key of the telemetry kind: payloads and the consenting account's name.</summary>
    public const string KeyName = "telemetry";

    internal const string PayloadContext = "telemetry_sent.payload";

    /// <summary>What a payload's row says while it is being sent, and after a crash in the middle of a send.</summary>
    public const string Sending = "sending (outcome unknown)";

    /// <summary>
    /// Records a payload before its bytes leave, so that whatever happens during the send (a withdrawal, a time-out,
    /// a power cut) the history shows it; returns the row to give the outcome to.
    /// </summary>
    public long Begin(string payloadJson)
    {
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO telemetry_sent (at, payload, result, sealed) VALUES ($at, $payload, $result, 1);
            DELETE FROM telemetry_sent WHERE id NOT IN (SELECT id FROM telemetry_sent ORDER BY id DESC LIMIT $keep);
            SELECT max(id) FROM telemetry_sent;
            """;
        command.Parameters.AddWithValue("$at", time.GetUtcNow().UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$payload", keys.Get(KeyName).SealText(payloadJson, PayloadContext));
        command.Parameters.AddWithValue("$result", Sending);
        command.Parameters.AddWithValue("$keep", Kept);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    public void Finish(long id, string result)
    {
        using var connection = database.OpenConnection();
        DbRows.Execute(connection, "UPDATE telemetry_sent SET result = $result WHERE id = $id;", ("$result", result), ("$id", id));
    }

    /// <summary>Every recorded payload with its time and outcome, newest first.</summary>
    public IReadOnlyList<(DateTimeOffset At, string Payload, string Result)> List()
    {
        using var connection = database.OpenConnection();
        var key = keys.Get(KeyName);
        return DbRows.Query(connection, "SELECT at, payload, result FROM telemetry_sent WHERE sealed = 1 ORDER BY id DESC;",
            r => (DateTimeOffset.Parse(r.GetString(0), CultureInfo.InvariantCulture), key.OpenText(r.GetString(1), PayloadContext) ?? Unreadable, r.GetString(2)));
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

    /// <summary>What the history shows for a payload whose sealed bytes do not open (damaged).</summary>
    public const string Unreadable = "(unreadable)";
}
