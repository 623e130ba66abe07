using System.Globalization;
using Iris.Camera.Storage;

namespace Iris.Camera.Telemetry;

/// <summary>
/// The record of consent: every grant and withdrawal, with time, action, text version (a hash of the exact text)
/// and account. The only code that runs SQL on <c>telemetry_consent</c>. The latest row decides: consent holds
/// while it is a grant of the text shown now. Rows are the owner's choices and are kept; deleting personal data
/// or an account removes the account name from them, never the rows (which would silently end consent). The name is
/// sealed under the telemetry field key (<see cref="TelemetrySentHistory.KeyName"/>).
/// </summary>
internal sealed class TelemetryConsentStore(CameraDatabase database, TimeProvider time, IDataKeys keys) : Accounts.IAccountDataHolder
{
    public const string Granted = "granted";
    public const string Withdrawn = "withdrawn";

    /// <summary>Whether the latest choice is a grant of exactly <paramref name="textVersion"/>.</summary>
    public bool ConsentedTo(string textVersion) => Last() is { Action: Granted } last && last.TextVersion == textVersion;

    public void Record(string action, string textVersion, string account)
    {
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO telemetry_consent (at, action, text_version, account, sealed) VALUES ($at, $action, $version, $account, 1);";
        command.Parameters.AddWithValue("$at", time.GetUtcNow().UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$action", action);
        command.Parameters.AddWithValue("$version", textVersion);
        command.Parameters.AddWithValue("$account", SealAccount(account));
        command.ExecuteNonQuery();
    }

    public ConsentRecord? Last()
    {
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT at, action, text_version, account FROM telemetry_consent ORDER BY id DESC LIMIT 1;";
        using var reader = command.ExecuteReader();
        return reader.Read()
            ? new ConsentRecord(DateTimeOffset.Parse(reader.GetString(0), CultureInfo.InvariantCulture), reader.GetString(1), reader.GetString(2), OpenAccount(reader.GetString(3)))
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
        using var transaction = connection.BeginTransaction(deferred: false);
        var named = DbRows.Query(connection, "SELECT id, account FROM telemetry_consent WHERE account <> $none;", r => (Id: r.GetInt64(0), Account: r.GetString(1)), ("$none", NoAccount));
        var forgotten = 0;
        foreach (var (id, sealedName) in named)
        {
            if (account is null || string.Equals(OpenAccount(sealedName), account, StringComparison.OrdinalIgnoreCase))
            {
                forgotten += DbRows.Execute(connection, "UPDATE telemetry_consent SET account = $none WHERE id = $id;", ("$none", NoAccount), ("$id", id));
            }
        }

        transaction.Commit();
        return forgotten;
    }

    public void ForgetAccount(string username) => ForgetAccounts(username);

    /// <summary>What a record shows once its account name was deleted.</summary>
    public const string NoAccount = "(deleted)";

    internal const string AccountContext = "telemetry_consent.account";

    private string SealAccount(string account) => keys.Get(TelemetrySentHistory.KeyName).SealText(account, AccountContext)!;

    private string OpenAccount(string stored) =>
        stored == NoAccount ? NoAccount : keys.Get(TelemetrySentHistory.KeyName).OpenText(stored, AccountContext) ?? NoAccount;
}
