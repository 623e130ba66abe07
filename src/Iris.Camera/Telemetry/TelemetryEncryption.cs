using Iris.Camera.Storage;

namespace Iris.Camera.Telemetry;

/// <summary>
/// Seals, at start, telemetry rows written before schema 9 (plaintext payloads and account names), in one
/// transaction, then scrubs the WAL so their plaintext page images do not stay in it. Idempotent.
/// </summary>
internal sealed class TelemetryEncryption(CameraDatabase database, IDataKeys keys)
{
    public int Run()
    {
        int count;
        using (var connection = database.OpenConnection())
        using (var transaction = connection.BeginTransaction(deferred: false))
        {
            var payloads = DbRows.Query(connection, "SELECT id, payload FROM telemetry_sent WHERE sealed = 0;", r => (Id: r.GetInt64(0), Text: r.GetString(1)));
            var names = DbRows.Query(connection, "SELECT id, account FROM telemetry_consent WHERE sealed = 0;", r => (Id: r.GetInt64(0), Text: r.GetString(1)));
            if (payloads.Count + names.Count == 0)
            {
                DestroyUnneededKey(connection);
                return 0; // no key is made before something needs one
            }

            var key = keys.Get(TelemetrySentHistory.KeyName);
            foreach (var (id, text) in payloads)
            {
                DbRows.Execute(connection, "UPDATE telemetry_sent SET payload = $p, sealed = 1 WHERE id = $id;",
                    ("$p", key.SealText(text, TelemetrySentHistory.PayloadContext)), ("$id", id));
            }

            foreach (var (id, text) in names)
            {
                DbRows.Execute(connection, "UPDATE telemetry_consent SET account = $a, sealed = 1 WHERE id = $id;",
                    ("$a", text == TelemetryConsentStore.NoAccount ? text : key.SealText(text, TelemetryConsentStore.AccountContext)), ("$id", id));
            }

            transaction.Commit();
            count = payloads.Count + names.Count;
        }

        if (count > 0)
        {
            database.Compact();
        }

        return count;
    }

    /// <summary>
    /// A key no row needs is destroyed: left by a deletion of the kind (or "delete all") that a crash cut short
    /// between removing the rows and destroying the key, it would still open any copy of those rows a medium kept.
    /// </summary>
    private void DestroyUnneededKey(Microsoft.Data.Sqlite.SqliteConnection connection)
    {
        if (keys.Find(TelemetrySentHistory.KeyName) is null)
        {
            return;
        }

        var needed = Convert.ToInt64(DbRows.Scalar(connection,
            "SELECT (SELECT COUNT(*) FROM telemetry_sent) + (SELECT COUNT(*) FROM telemetry_consent WHERE account <> $none);", ("$none", TelemetryConsentStore.NoAccount)),
            System.Globalization.CultureInfo.InvariantCulture);
        if (needed == 0)
        {
            keys.Destroy(TelemetrySentHistory.KeyName);
        }
    }
}
