using Iris.Camera.Storage;

namespace Iris.Camera.Accounts;

/// <summary>
/// Brings the accounts tables to their encrypted form at start: rows written before schema 9 (plaintext name and
/// hash, plaintext addresses) are sealed under a new key per account, all in one transaction, and the WAL is then
/// scrubbed so the plaintext page images do not stay in it. Also destroys account keys no row names, left by a
/// crash between a delete's commit and its key's destruction: until then that user's carved rows would still open.
/// Both steps are idempotent, so a crash at any point is finished at the next start.
/// </summary>
internal sealed partial class AccountsEncryption(CameraDatabase database, AccountCipher cipher, ILogger<AccountsEncryption> logger)
{
    public void Run()
    {
        var sealedRows = SealLegacyRows();
        var orphans = DestroyOrphanKeys();
        if (sealedRows > 0 || orphans > 0)
        {
            database.Compact();
            LogSealed(logger, sealedRows, orphans);
        }
    }

    private int SealLegacyRows()
    {
        using var connection = database.OpenConnection();
        using var transaction = connection.BeginTransaction(deferred: false);
        var legacy = DbRows.Query(connection,
            "SELECT id, username, password_hash, password_salt, password_iterations FROM accounts WHERE sealed IS NULL;",
            r => (Id: r.GetInt64(0), Username: r.GetString(1), Password: new PasswordHash((byte[])r[2], (byte[])r[3], r.GetInt32(4))));
        if (legacy.Count == 0)
        {
            return 0;
        }

        foreach (var account in legacy)
        {
            var keyId = AccountCipher.NewKeyId();
            var index = cipher.UsernameIndex(account.Username);
            var sources = DbRows.Query(connection, "SELECT source, first_seen_at FROM known_sources WHERE account = $name;",
                r => (Source: r.GetString(0), At: r.GetString(1)), ("$name", account.Username));
            DbRows.Execute(connection, "DELETE FROM known_sources WHERE account = $name;", ("$name", account.Username));
            foreach (var (source, at) in sources)
            {
                DbRows.Execute(connection, "INSERT INTO known_sources (account, source, first_seen_at) VALUES ($a, $s, $at) ON CONFLICT DO NOTHING;",
                    ("$a", index), ("$s", cipher.SourceIndex(keyId, source)), ("$at", at));
            }

            var sessions = DbRows.Query(connection, "SELECT token_hash, source FROM sessions WHERE account_id = $id;",
                r => (Token: (byte[])r[0], Source: r.GetString(1)), ("$id", account.Id));
            foreach (var (token, source) in sessions)
            {
                DbRows.Execute(connection, "UPDATE sessions SET source = $s WHERE token_hash = $t;", ("$s", cipher.SealSource(keyId, source)), ("$t", token));
            }

            DbRows.Execute(connection,
                "UPDATE accounts SET username = $u, key_id = $k, sealed = $sealed, password_hash = X'', password_salt = X'', password_iterations = 0 WHERE id = $id;",
                ("$u", index), ("$k", keyId), ("$sealed", cipher.Seal(keyId, new AccountSecrets(account.Username, account.Password))), ("$id", account.Id));
        }

        // Addresses remembered for names that no longer have an account would otherwise stay in plaintext.
        DbRows.Execute(connection, "DELETE FROM known_sources WHERE account NOT IN (SELECT username FROM accounts);");
        transaction.Commit();
        return legacy.Count;
    }

    private int DestroyOrphanKeys()
    {
        using var connection = database.OpenConnection();
        var named = DbRows.Query(connection, "SELECT key_id FROM accounts WHERE key_id IS NOT NULL;", r => r.GetString(0)).ToHashSet(StringComparer.Ordinal);
        var orphans = cipher.KeyIdsInVault().Where(id => !named.Contains(id)).ToList();
        foreach (var id in orphans)
        {
            cipher.Destroy(id);
        }

        return orphans.Count;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Accounts encrypted at rest: {Rows} account row(s) sealed under their own keys, {Orphans} key(s) of deleted accounts destroyed.")]
    private static partial void LogSealed(ILogger logger, int rows, int orphans);
}
