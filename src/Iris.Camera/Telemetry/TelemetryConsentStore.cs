using System.Globalization;
using Iris.Camera.Storage;

namespace Iris.Camera.Telemetry;

/// <summary>
/// The record of consent: every grant and withdrawal, with time, action, text version and account. The only code
/// that runs SQL on <c>telemetry_consent</c>. The latest row decides: consent holds while it is a grant.
/// </summary>
internal sealed class TelemetryConsentStore(CameraDatabase database, TimeProvider time)
{
    public const string Granted = "granted";
    public const string Withdrawn = "withdrawn";

    public bool Consented => Last()?.Action == Granted;

    public void Record(string action, string textVersion, string account)
    {
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO telemetry_consent (at, action, text_version, account) VALUES ($at, $action, $version, $account);";
        command.Parameters.AddWithValue("$at", time.GetUtcNow().UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$action", action);
        command.Parameters.AddWithValue("$version", textVersion);
        command.Parameters.AddWithValue("$account", account);
        command.ExecuteNonQuery();
    }

    public ConsentRecord? Last()
    {
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT at, action, text_version, account FROM telemetry_consent ORDER BY id DESC LIMIT 1;";
        using var reader = command.ExecuteReader();
        return reader.Read()
            ? new ConsentRecord(DateTimeOffset.Parse(reader.GetString(0), CultureInfo.InvariantCulture), reader.GetString(1), reader.GetString(2), reader.GetString(3))
            : null;
    }

    /// <summary>Deletes every consent record (personal data: it names the administrator); returns how many.</summary>
    public int Count()
    {
        using var connection = database.OpenConnection();
        return Convert.ToInt32(DbRows.Scalar(connection, "SELECT COUNT(*) FROM telemetry_consent;"), System.Globalization.CultureInfo.InvariantCulture);
    }

    public int DeleteAll()
    {
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM telemetry_consent;";
        return command.ExecuteNonQuery();
    }
}
