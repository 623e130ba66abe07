using System.Globalization;
using Iris.Camera.Storage;
using Microsoft.Data.Sqlite;

namespace Iris.Camera.Accounts;

/// <summary>
/// Accounts in the device database. Usernames compare case-insensitively. Names and password hashes are sealed under
/// a key per account (<see cref="AccountCipher"/>); rows are found by the name's blind index.
/// </summary>
internal sealed class AccountStore(CameraDatabase database, TimeProvider time, IEnumerable<IAccountDataHolder> holders, AccountCipher cipher)
{
    public const string OwnerUsername = "admin";

    public bool Any()
    {
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT EXISTS (SELECT 1 FROM accounts);";
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) == 1;
    }

    public Account? Find(string username)
    {
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = Columns + " FROM accounts WHERE username = $u AND sealed IS NOT NULL;";
        command.Parameters.AddWithValue("$u", cipher.UsernameIndex(username));
        using var reader = command.ExecuteReader();
        return reader.Read() ? Read(reader) : null;
    }

    public Account? FindById(long id)
    {
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = Columns + " FROM accounts WHERE id = $id AND sealed IS NOT NULL;";
        command.Parameters.AddWithValue("$id", id);
        using var reader = command.ExecuteReader();
        return reader.Read() ? Read(reader) : null;
    }

    public IReadOnlyList<Account> List()
    {
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = Columns + " FROM accounts WHERE sealed IS NOT NULL;";
        using var reader = command.ExecuteReader();
        var accounts = new List<Account>();
        while (reader.Read())
        {
            if (Read(reader) is { } account)
            {
                accounts.Add(account);
            }
        }

        // Names are sealed, so the order is made here, as the column's NOCASE collation made it before.
        return [.. accounts.OrderBy(a => a.Username, StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>Creates an account; false when the username is taken.</summary>
    public bool Create(string username, Role role, PasswordHash password, bool mustChangePassword)
    {
        var keyId = AccountCipher.NewKeyId();
        var sealedRow = cipher.Seal(keyId, new AccountSecrets(username, password));
        bool created;
        using (var connection = database.OpenConnection())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = $"""
                INSERT INTO accounts (username, key_id, sealed, role, password_hash, password_salt, password_iterations, must_change_password, created_at, password_changed_at)
                VALUES ($u, $k, $sealed, $r, {NoPlaintext}, $m, $now, $now) ON CONFLICT (username) DO NOTHING;
                """;
            command.Parameters.AddWithValue("$u", cipher.UsernameIndex(username));
            command.Parameters.AddWithValue("$k", keyId);
            command.Parameters.AddWithValue("$sealed", sealedRow);
            command.Parameters.AddWithValue("$r", RoleNames.ToDatabase(role));
            command.Parameters.AddWithValue("$m", mustChangePassword ? 1 : 0);
            command.Parameters.AddWithValue("$now", Now());
            created = command.ExecuteNonQuery() == 1;
        }

        if (!created)
        {
            cipher.Destroy(keyId);
        }

        return created;
    }

    /// <summary>Sets a password and ends every session of the account, in one transaction.</summary>
    public void SetPassword(long accountId, PasswordHash password, bool mustChangePassword, byte[]? keepSessionTokenHash = null)
    {
        using var connection = database.OpenConnection();
        using var transaction = connection.BeginTransaction(deferred: false);
        if (FindIn(connection, "id = $u", accountId) is not { } account)
        {
            return;
        }

        using (var update = connection.CreateCommand())
        {
            update.CommandText = """
                UPDATE accounts SET sealed = $sealed, must_change_password = $m, password_changed_at = $now WHERE id = $id;
                """;
            update.Parameters.AddWithValue("$sealed", cipher.Seal(account.KeyId, new AccountSecrets(account.Account.Username, password)));
            update.Parameters.AddWithValue("$m", mustChangePassword ? 1 : 0);
            update.Parameters.AddWithValue("$now", Now());
            update.Parameters.AddWithValue("$id", accountId);
            update.ExecuteNonQuery();
        }

        SessionStore.RevokeAllOf(connection, accountId, keepSessionTokenHash);
        transaction.Commit();
    }

    /// <summary>Changes role or disabled state, refusing to leave the device without an enabled administrator.</summary>
    public AccountChange Update(string username, Role? role, bool? disabled)
    {
        using var connection = database.OpenConnection();
        using var transaction = connection.BeginTransaction(deferred: false);
        var stored = FindIn(connection, "username = $u", cipher.UsernameIndex(username));
        if (stored is null)
        {
            return AccountChange.NotFound;
        }

        var account = stored.Account;
        var newRole = role ?? account.Role;
        var newDisabled = disabled ?? account.Disabled;
        if (account.Role == Role.Administrator && !account.Disabled && (newRole != Role.Administrator || newDisabled) && CountActiveAdministrators(connection) <= 1)
        {
            return AccountChange.LastAdministrator;
        }

        using (var update = connection.CreateCommand())
        {
            update.CommandText = "UPDATE accounts SET role = $r, disabled = $d WHERE id = $id;";
            update.Parameters.AddWithValue("$r", RoleNames.ToDatabase(newRole));
            update.Parameters.AddWithValue("$d", newDisabled ? 1 : 0);
            update.Parameters.AddWithValue("$id", account.Id);
            update.ExecuteNonQuery();
        }

        if (newDisabled || newRole != account.Role)
        {
            SessionStore.RevokeAllOf(connection, account.Id, keepTokenHash: null);
        }

        transaction.Commit();
        return AccountChange.Done;
    }

    public AccountChange Delete(string username)
    {
        using var connection = database.OpenConnection();
        using var transaction = connection.BeginTransaction(deferred: false);
        var stored = FindIn(connection, "username = $u", cipher.UsernameIndex(username));
        if (stored is null)
        {
            return AccountChange.NotFound;
        }

        var account = stored.Account;
        if (account.Role == Role.Administrator && !account.Disabled && CountActiveAdministrators(connection) <= 1)
        {
            return AccountChange.LastAdministrator;
        }

        // Everything keyed to the user goes with the row: sessions by the foreign key's cascade, and the sign-in
        // addresses remembered for them here (they are keyed by name, not id).
        DbRows.Execute(connection, "DELETE FROM known_sources WHERE account = $name;", ("$name", cipher.UsernameIndex(account.Username)));
        DbRows.Execute(connection, "DELETE FROM accounts WHERE id = $id;", ("$id", account.Id));
        transaction.Commit();
        foreach (var holder in holders)
        {
            holder.ForgetAccount(account.Username);
        }

        // The account's key goes last, after the rows that named it: whatever copy of them the disk still holds
        // no longer opens. The WAL is scrubbed as well, for the username's blind index and the row's shape.
        cipher.Destroy(stored.KeyId);
        database.Compact();
        return AccountChange.Done;
    }

    private StoredAccount? FindIn(SqliteConnection connection, string where, object value)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Columns + $" FROM accounts WHERE {where} AND sealed IS NOT NULL;";
        command.Parameters.AddWithValue("$u", value);
        using var reader = command.ExecuteReader();
        return reader.Read() && Read(reader) is { } account ? new StoredAccount(account, reader.GetString(1)) : null;
    }

    private sealed record StoredAccount(Account Account, string KeyId);

    private static long CountActiveAdministrators(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM accounts WHERE role = 'administrator' AND disabled = 0;";
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// What the columns of the first schema hold now: nothing. The name column keeps the blind index (it is the
    /// unique lookup key), the hash columns are empty; SQLite cannot drop a UNIQUE column without rebuilding the
    /// table, which would cascade into every session.
    /// </summary>
    internal const string NoPlaintext = "X'', X'', 0";

    private const string Columns = "SELECT id, key_id, sealed, role, must_change_password, disabled";

    /// <summary>The account of a row, or null when its sealed part does not open (its key was destroyed).</summary>
    private Account? Read(SqliteDataReader reader) =>
        cipher.Open(reader.GetString(1), (byte[])reader[2]) is { } secrets
            ? new Account(reader.GetInt64(0), secrets.Username, RoleNames.FromDatabase(reader.GetString(3)), secrets.Password,
                reader.GetInt64(4) == 1, reader.GetInt64(5) == 1)
            : null;

    private string Now() => time.GetUtcNow().UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
}

public enum AccountChange
{
    Done,
    NotFound,
    LastAdministrator,
}
