using Iris.Camera.Storage;

namespace Iris.Camera.Link;

/// <summary>
/// The personal fields the link keeps: an outbox entry's account, source address and message (which names both),
/// and the administrator who paired a command key. Each table has its own field key, so deleting the outbox or the
/// paired keys destroys the key and every copy of their rows a medium kept stops opening (issue 12); a user's
/// deletion redacts the entries that name them (<see cref="LinkData"/>).
/// </summary>
internal sealed class LinkFields(IDataKeys keys)
{
    public const string OutboxKey = "alert-outbox";
    public const string PairedKeysKey = "command-keys";
    public const string SourceContext = "link_outbox.source";
    public const string AccountContext = "link_outbox.account";
    public const string MessageContext = "link_outbox.message";
    public const string PairedByContext = "link_keys.paired_by";

    /// <summary>What a field that no longer opens reads as (never a real value).</summary>
    public const string Unreadable = "(unreadable)";

    public string? SealOutbox(string? value, string context) => value is null ? null : keys.Get(OutboxKey).SealText(value, context);

    public string? OpenOutbox(string? stored, string context) => stored is null ? null : keys.Find(OutboxKey)?.OpenText(stored, context) ?? Unreadable;

    public string SealPairedBy(string admin) => keys.Get(PairedKeysKey).SealText(admin, PairedByContext)!;

    public string OpenPairedBy(string stored) => keys.Find(PairedKeysKey)?.OpenText(stored, PairedByContext) ?? Unreadable;

    public void DestroyOutboxKey() => keys.Destroy(OutboxKey);

    public void DestroyPairedKeysKey() => keys.Destroy(PairedKeysKey);
}

/// <summary>Moves the link's sealed fields to a replaced field key (see <c>Vault/DataKeyRotation</c>).</summary>
internal sealed class LinkKeyHolder(CameraDatabase database) : IFieldKeyHolder
{
    public bool Holds(string keyName) => keyName is LinkFields.OutboxKey or LinkFields.PairedKeysKey;

    public int Reseal(string keyName, FieldKey current, FieldKey next)
    {
        using var connection = database.OpenConnection();
        using var transaction = connection.BeginTransaction(deferred: false);
        var changed = 0;
        if (keyName == LinkFields.OutboxKey)
        {
            var rows = DbRows.Query(connection, "SELECT seq, source, account, message FROM link_outbox WHERE sealed = 1;",
                r => (Seq: r.GetInt64(0), Source: DbRows.NullableString(r, 1), Account: DbRows.NullableString(r, 2), Message: r.GetString(3)));
            foreach (var row in rows)
            {
                if (FieldReseal.Text(row.Message, LinkFields.MessageContext, current, next) is not { } message)
                {
                    continue;
                }

                changed += DbRows.Execute(connection, "UPDATE link_outbox SET source = $source, account = $account, message = $message WHERE seq = $seq;",
                    ("$source", FieldReseal.Text(row.Source, LinkFields.SourceContext, current, next)),
                    ("$account", FieldReseal.Text(row.Account, LinkFields.AccountContext, current, next)), ("$message", message), ("$seq", row.Seq));
            }
        }
        else
        {
            foreach (var (id, by) in DbRows.Query(connection, "SELECT key_id, paired_by FROM link_keys WHERE sealed = 1;", r => (r.GetString(0), r.GetString(1))))
            {
                if (FieldReseal.Text(by, LinkFields.PairedByContext, current, next) is { } moved)
                {
                    changed += DbRows.Execute(connection, "UPDATE link_keys SET paired_by = $by WHERE key_id = $id;", ("$by", moved), ("$id", id));
                }
            }
        }

        transaction.Commit();
        return changed;
    }
}
