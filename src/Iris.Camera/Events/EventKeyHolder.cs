using Iris.Camera.Storage;
using Microsoft.Data.Sqlite;

namespace Iris.Camera.Events;

/// <summary>
/// Moves the security log's and the alert inbox's sealed fields to a replaced field key (see
/// <c>Vault/DataKeyRotation</c>), and the rows of the single key of schema 9 to their months' keys. The chain does
/// not change: it covers commitments to the plaintext, not the stored bytes. A redacted alert keeps its empty message.
/// </summary>
internal sealed class EventKeyHolder(CameraDatabase database) : IFieldKeyHolder
{
    public bool Holds(string keyName) => EventFields.IsLogKey(keyName);

    public int Reseal(string keyName, FieldKey current, FieldKey next)
    {
        using var connection = database.OpenConnection();
        using var transaction = connection.BeginTransaction(deferred: false);
        var changed = ResealRows(connection, current, _ => next);
        transaction.Commit();
        return changed;
    }

    /// <summary>
    /// Seals again every field that opens with <paramref name="current"/>, under the key <paramref name="nextFor"/>
    /// gives for the row's stored time; fields that do not open with it are left. Runs in the caller's transaction.
    /// </summary>
    internal static int ResealRows(SqliteConnection connection, FieldKey current, Func<string, FieldKey> nextFor)
    {
        var changed = 0;
        var events = DbRows.Query(connection, "SELECT id, source, account, detail, salt, at FROM security_events WHERE sealed = 1;",
            r => (Id: r.GetInt64(0), Source: DbRows.NullableString(r, 1), Account: DbRows.NullableString(r, 2), Detail: DbRows.NullableString(r, 3),
                Salt: r.IsDBNull(4) ? null : (byte[])r[4], At: r.GetString(5)));
        foreach (var row in events)
        {
            var next = nextFor(row.At);
            var source = FieldReseal.Text(row.Source, SecurityEventLog.SourceColumn, current, next);
            var account = FieldReseal.Text(row.Account, SecurityEventLog.AccountColumn, current, next);
            var detail = FieldReseal.Text(row.Detail, SecurityEventLog.DetailColumn, current, next);
            var salt = FieldReseal.Bytes(row.Salt, EventFields.SaltContext, current, next);
            if (source is null && account is null && detail is null && salt is null)
            {
                continue;
            }

            changed += DbRows.Execute(connection,
                "UPDATE security_events SET source = coalesce($source, source), account = coalesce($account, account), detail = coalesce($detail, detail), salt = coalesce($salt, salt) WHERE id = $id;",
                ("$source", source), ("$account", account), ("$detail", detail), ("$salt", salt), ("$id", row.Id));
        }

        var alerts = DbRows.Query(connection, "SELECT id, source, account, message, at FROM alerts WHERE sealed = 1;",
            r => (Id: r.GetInt64(0), Source: DbRows.NullableString(r, 1), Account: DbRows.NullableString(r, 2), Message: r.GetString(3), At: r.GetString(4)));
        foreach (var row in alerts)
        {
            var next = nextFor(row.At);
            var source = FieldReseal.Text(row.Source, AlertCenter.SourceColumn, current, next);
            var account = FieldReseal.Text(row.Account, AlertCenter.AccountColumn, current, next);
            var message = row.Message.Length == 0 ? null : FieldReseal.Text(row.Message, AlertCenter.MessageColumn, current, next);
            if (source is null && account is null && message is null)
            {
                continue;
            }

            changed += DbRows.Execute(connection,
                "UPDATE alerts SET source = coalesce($source, source), account = coalesce($account, account), message = coalesce($message, message) WHERE id = $id;",
                ("$source", source), ("$account", account), ("$message", message), ("$id", row.Id));
        }

        return changed;
    }
}
