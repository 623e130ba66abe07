using Iris.Camera.Storage;

namespace Iris.Camera.Accounts;

/// <summary>
/// Moves the accounts tables to a replaced field key (see <c>Vault/DataKeyRotation</c>). Under an account's key: its
/// sealed row and its sessions' addresses are sealed again; the addresses it signed in from are kept only as HMACs
/// of the old key, which cannot be recomputed without the addresses, so they are forgotten (the account's next
/// sign-in from each counts as a new source once). Under the index key: each name's blind index is recomputed from
/// the name its account key opens, in <c>accounts</c> and <c>known_sources</c> alike.
/// </summary>
internal sealed class AccountKeyHolder(CameraDatabase database, IDataKeys keys) : IFieldKeyHolder
{
    public bool Holds(string keyName) => keyName == AccountCipher.IndexKey || keyName.StartsWith(AccountCipher.AccountKeyPrefix, StringComparison.Ordinal);

    public int Reseal(string keyName, FieldKey current, FieldKey next)
    {
        using var connection = database.OpenConnection();
        using var transaction = connection.BeginTransaction(deferred: false);
        var changed = keyName == AccountCipher.IndexKey
            ? Reindex(connection, current, next)
            : ResealAccount(connection, keyName[AccountCipher.AccountKeyPrefix.Length..], current, next);
        transaction.Commit();
        return changed;
    }

    private static int ResealAccount(Microsoft.Data.Sqlite.SqliteConnection connection, string keyId, FieldKey current, FieldKey next)
    {
        var rows = DbRows.Query(connection, "SELECT id, username, sealed FROM accounts WHERE key_id = $k AND sealed IS NOT NULL;",
            r => (Id: r.GetInt64(0), Index: r.GetString(1), Sealed: (byte[])r[2]), ("$k", keyId));
        var changed = 0;
        foreach (var (id, index, sealedRow) in rows)
        {
            if (FieldReseal.Bytes(sealedRow, AccountCipher.SealContext(keyId), current, next) is not { } moved)
            {
                continue;
            }

            changed += DbRows.Execute(connection, "UPDATE accounts SET sealed = $s WHERE id = $id;", ("$s", moved), ("$id", id));
            var sessions = DbRows.Query(connection, "SELECT token_hash, source FROM sessions WHERE account_id = $id;",
                r => (Token: (byte[])r[0], Source: r.GetString(1)), ("$id", id));
            foreach (var (token, source) in sessions)
            {
                if (FieldReseal.Text(source, AccountCipher.SourceContext, current, next) is { } movedSource)
                {
                    DbRows.Execute(connection, "UPDATE sessions SET source = $s WHERE token_hash = $t;", ("$s", movedSource), ("$t", token));
                }
            }

            DbRows.Execute(connection, "DELETE FROM known_sources WHERE account = $a;", ("$a", index));
        }

        return changed;
    }

    private int Reindex(Microsoft.Data.Sqlite.SqliteConnection connection, FieldKey current, FieldKey next)
    {
        var rows = DbRows.Query(connection, "SELECT id, username, key_id, sealed FROM accounts WHERE key_id IS NOT NULL AND sealed IS NOT NULL;",
            r => (Id: r.GetInt64(0), Index: r.GetString(1), KeyId: r.GetString(2), Sealed: (byte[])r[3]));
        var changed = 0;
        foreach (var (id, index, keyId, sealedRow) in rows)
        {
            if (AccountCipher.OpenWith(keys.Find(AccountCipher.AccountKeyPrefix + keyId), keyId, sealedRow) is not { } secrets)
            {
                continue;
            }

            var name = secrets.Username.ToLowerInvariant();
            if (index != current.Index(name, AccountCipher.IndexContext))
            {
                continue; // already under the new key, or not this key's index
            }

            var moved = next.Index(name, AccountCipher.IndexContext);
            changed += DbRows.Execute(connection, "UPDATE accounts SET username = $new WHERE id = $id;", ("$new", moved), ("$id", id));
            DbRows.Execute(connection, "UPDATE known_sources SET account = $new WHERE account = $old;", ("$new", moved), ("$old", index));
        }

        return changed;
    }
}
