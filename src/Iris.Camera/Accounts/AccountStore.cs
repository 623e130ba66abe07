using System.Globalization;
using Iris.Camera.Storage;
using Microsoft.Data.Sqlite;

namespace Iris.Camera.Accounts;

/// <summary>Accounts in the device database. Usernames compare case-insensitively.</summary>
internal sealed class AccountStore(CameraDatabase database, TimeProvider time, IEnumerable<IAccountDataHolder> holders)
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
        command.CommandText = "SELECT id, username, role, password_hash, password_salt, password_iterations, must_change_password, disabled FROM accounts WHERE username = $u;";
        command.Parameters.AddWithValue("$u", username);
        using var reader = command.ExecuteReader();
        return reader.Read() ? Read(reader) : null;
    }

    public Account? FindById(long id)
    {
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, username, role, password_hash, password_salt, password_iterations, must_change_password, disabled FROM accounts WHERE id = $id;";
        command.Parameters.AddWithValue("$id", id);
        using var reader = command.ExecuteReader();
        return reader.Read() ? Read(reader) : null;
    }

    public IReadOnlyList<Account> List()
    {
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, username, role, password_hash, password_salt, password_iterations, must_change_password, disabled FROM accounts ORDER BY username;";
        using var reader = command.ExecuteReader();
        var accounts = new List<Account>();
        while (reader.Read())
        {
            accounts.Add(Read(reader));
        }

        return accounts;
    }

    /// <summary>Creates an account; false when the username is taken.</summary>
    public bool Create(string username, Role role, PasswordHash password, bool mustChangePassword)
    {
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO accounts (username, role, password_hash, password_salt, password_iterations, must_change_password, created_at, password_changed_at)
            VALUES ($u, $r, $h, $s, $i, $m, $now, $now) ON CONFLICT (username) DO NOTHING;
            """;
        command.Parameters.AddWithValue("$u", username);
        command.Parameters.AddWithValue("$r", RoleNames.ToDatabase(role));
        AddPassword(command, password);
        command.Parameters.AddWithValue("$m", mustChangePassword ? 1 : 0);
        command.Parameters.AddWithValue("$now", Now());
        return command.ExecuteNonQuery() == 1;
    }

    /// <summary>Sets a password and ends every session of the account, in one transaction.</summary>
    public void SetPassword(long accountId, PasswordHash password, bool mustChangePassword, byte[]? keepSessionTokenHash = null)
    {
        using var connection = database.OpenConnection();
        using var transaction = connection.BeginTransaction();
        using (var update = connection.CreateCommand())
        {
            update.CommandText = """
                UPDATE accounts SET password_hash = $h, password_salt = $s, password_iterations = $i,
                    must_change_password = $m, password_changed_at = $now WHERE id = $id;
                """;
            AddPassword(update, password);
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
        var account = FindIn(connection, username);
        if (account is null)
        {
            return AccountChange.NotFound;
        }

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
        var account = FindIn(connection, username);
        if (account is null)
        {
            return AccountChange.NotFound;
        }

        if (account.Role == Role.Administrator && !account.Disabled && CountActiveAdministrators(connection) <= 1)
        {
            return AccountChange.LastAdministrator;
        }

        // Everything keyed to the user goes with the row: sessions by the foreign key's cascade, and the sign-in
        // addresses remembered for them here (they are keyed by name, not id).
        DbRows.Execute(connection, "DELETE FROM known_sources WHERE account = $name;", ("$name", account.Username));
        DbRows.Execute(connection, "DELETE FROM accounts WHERE id = $id;", ("$id", account.Id));
        transaction.Commit();
        foreach (var holder in holders)
        {
            holder.ForgetAccount(account.Username);
        }

        // No page image of the deleted rows may stay in the WAL or in the blocks it frees.
        database.Compact();
        return AccountChange.Done;
    }

    private static Account? FindIn(SqliteConnection connection, string username)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, username, role, password_hash, password_salt, password_iterations, must_change_password, disabled FROM accounts WHERE username = $u;";
        command.Parameters.AddWithValue("$u", username);
        using var reader = command.ExecuteReader();
        return reader.Read() ? Read(reader) : null;
    }

    private static long CountActiveAdministrators(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM accounts WHERE role = 'administrator' AND disabled = 0;";
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static void AddPassword(SqliteCommand command, PasswordHash password)
    {
        command.Parameters.AddWithValue("$h", password.Hash);
        command.Parameters.AddWithValue("$s", password.Salt);
        command.Parameters.AddWithValue("$i", password.Iterations);
    }

    private static Account Read(SqliteDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetString(1),
        RoleNames.FromDatabase(reader.GetString(2)),
        new PasswordHash((byte[])reader[3], (byte[])reader[4], reader.GetInt32(5)),
        reader.GetInt64(6) == 1,
        reader.GetInt64(7) == 1);

    private string Now() => time.GetUtcNow().UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
}

public enum AccountChange
{
    Done,
    NotFound,
    LastAdministrator,
}
