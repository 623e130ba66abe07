using Iris.Camera.Storage;

namespace Iris.Camera.Telemetry;

/// <summary>Moves the sealed telemetry payloads and consenting accounts' names to a replaced field key (see <c>Vault/DataKeyRotation</c>).</summary>
internal sealed class TelemetryKeyHolder(CameraDatabase database) : IFieldKeyHolder
{
    public bool Holds(string keyName) => keyName == TelemetrySentHistory.KeyName;

    public int Reseal(string keyName, FieldKey current, FieldKey next)
    {
        using var connection = database.OpenConnection();
        using var transaction = connection.BeginTransaction(deferred: false);
        var changed = 0;
        foreach (var (id, payload) in DbRows.Query(connection, "SELECT id, payload FROM telemetry_sent WHERE sealed = 1;", r => (r.GetInt64(0), r.GetString(1))))
        {
            if (FieldReseal.Text(payload, TelemetrySentHistory.PayloadContext, current, next) is { } moved)
            {
                changed += DbRows.Execute(connection, "UPDATE telemetry_sent SET payload = $p WHERE id = $id;", ("$p", moved), ("$id", id));
            }
        }

        foreach (var (id, account) in DbRows.Query(connection, "SELECT id, account FROM telemetry_consent WHERE sealed = 1 AND account <> $none;",
            r => (r.GetInt64(0), r.GetString(1)), ("$none", TelemetryConsentStore.NoAccount)))
        {
            if (FieldReseal.Text(account, TelemetryConsentStore.AccountContext, current, next) is { } moved)
            {
                changed += DbRows.Execute(connection, "UPDATE telemetry_consent SET account = $a WHERE id = $id;", ("$a", moved), ("$id", id));
            }
        }

        transaction.Commit();
        return changed;
    }
}
