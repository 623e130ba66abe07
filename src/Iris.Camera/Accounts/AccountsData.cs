using Iris.Camera.Storage;

namespace Iris.Camera.Accounts;

/// <summary>Account names, sessions and known sign-in addresses: declared here, and deleted only here.</summary>
internal sealed class AccountsData(CameraDatabase database, IEnumerable<IAccountDataHolder> holders, AccountCipher cipher) : IStoredData
{
    public const string KindId = "accounts";

    public IEnumerable<DataKind> Kinds =>
    [
        new(KindId, "Account names and sessions", true,
            "Sign-in: user names, roles, password hashes (PBKDF2), session hashes, and the addresses each account signed in from (new-source alerts).",
            "While the account exists; sessions end after their idle or absolute timeout.",
            "Every account except the signed-in administrator, with their sessions and known addresses (the administrator's own goes with a factory reset).",
            ["accounts", "sessions", "known_sources"], []),
    ];

    public IEnumerable<DataLocation> Locations =>
        [
            new("device-identity", [], ["vault/default-password-hash.sealed", "vault/default-password.sealed", "default-password"]),
            new(KindId, [], ["vault/data-key.accounts.sealed", "vault/data-key.account.*.sealed"]),
        ];

    public IEnumerable<string> Deletable => [KindId];

    public int Count(string kindId)
    {
        using var connection = database.OpenConnection();
        return Convert.ToInt32(DbRows.Scalar(connection, "SELECT COUNT(*) FROM accounts;"), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Deletes every account except the one that asked, with their sessions and known sources.</summary>
    public int DeleteKind(string kindId, ErasureRequest request)
    {
        using var connection = database.OpenConnection();
        using var transaction = connection.BeginTransaction(deferred: false);
        var deleted = DbRows.Query(connection, "SELECT key_id, sealed FROM accounts WHERE id != $keep AND sealed IS NOT NULL;",
            r => (KeyId: r.GetString(0), Sealed: (byte[])r[1]), ("$keep", request.KeepAccountId));
        var names = deleted.Select(d => cipher.Open(d.KeyId, d.Sealed)?.Username).OfType<string>().ToList();
        DbRows.Execute(connection, """
            DELETE FROM sessions WHERE account_id != $keep;
            DELETE FROM known_sources WHERE account NOT IN (SELECT username FROM accounts WHERE id = $keep);
            """, ("$keep", request.KeepAccountId));
        var removed = DbRows.Execute(connection, "DELETE FROM accounts WHERE id != $keep;", ("$keep", request.KeepAccountId));
        transaction.Commit();

        // Their keys go after the rows: every copy of the rows left on the disk no longer opens.
        foreach (var (keyId, _) in deleted)
        {
            cipher.Destroy(keyId);
        }

        foreach (var name in names)
        {
            foreach (var holder in holders)
            {
                holder.ForgetAccount(name);
            }
        }

        return removed;
    }
}
