using System.Globalization;
using Iris.Camera.Storage;

namespace Iris.Camera.Telemetry;

/// <summary>
/// The record of consent: every grant and withdrawal, with time, action, text version (a hash of the exact text)
/// and account. The only code that runs SQL on <c>telemetry_consent</c>. The latest row decides: consent holds
/// while it is a grant of the text shown now. Rows are the owner's choices and are kept; deleting personal data
/// or an account removes the account name from them, never the rows (which would silently end consent).
/// </summary>
internal sealed class TelemetryConsentStore(CameraDatabase database, TimeProvider time) : Accounts.IAccountDataHolder
{
    public const string Granted = "granted";
    public const string Withdrawn = "withdrawn";

    /// <summary>Whether the latest choice is a grant of exactly <paramref name="textVersion"/>.</summary>
    public bool ConsentedTo(string textVersion) => Last() is { Action: Granted } last && last.TextVersion == textVersion;

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

    /// <summary>How many records still name an account (the personal part of the consent history).</summary>
    public int CountNamed()
    {
        using var connection = database.OpenConnection();
        return Convert.ToInt32(DbRows.Scalar(connection, "SELECT COUNT(*) FROM telemetry_consent WHERE account <> $none;", ("$none", NoAccount)), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Removes the account name from every record (or only <paramref name="account"/>'s); the choices stay. Returns how many.</summary>
    public int ForgetAccounts(string? account = null)
    {
        using var connection = database.OpenConnection();
        return DbRows.Execute(connection, "UPDATE telemetry_consent SET account = $none WHERE account <> $none AND ($account IS NULL OR account = $account COLLATE NOCASE);",
            ("$none", NoAccount), ("$account", account));
    }

    public void ForgetAccount(string username) => ForgetAccounts(username);

    /// <summary>What a record shows once its account name was deleted.</summary>
    public const string NoAccount = "(deleted)";
}
