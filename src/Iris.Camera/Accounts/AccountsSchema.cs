using Iris.Camera.Storage;

namespace Iris.Camera.Accounts;

/// <summary>
/// The tables the accounts module owns: accounts, sessions (tokens stored as SHA-256 only) and known sign-in sources;
/// since version 9 every personal value in them is sealed or blind-indexed (<see cref="AccountCipher"/>).
/// </summary>
internal static class AccountsSchema
{
    public static IReadOnlyList<SchemaMigration> Migrations { get; } =
    [
        new(2, """
            CREATE TABLE accounts (
                id INTEGER PRIMARY KEY,
                username TEXT NOT NULL UNIQUE COLLATE NOCASE,
                role TEXT NOT NULL CHECK (role IN ('administrator', 'viewer')),
                password_hash BLOB NOT NULL,
                password_salt BLOB NOT NULL,
                password_iterations INTEGER NOT NULL,
                must_change_password INTEGER NOT NULL,
                disabled INTEGER NOT NULL DEFAULT 0,
                created_at TEXT NOT NULL,
                password_changed_at TEXT NOT NULL
            ) STRICT;
            CREATE TABLE sessions (
                token_hash BLOB PRIMARY KEY,
                account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
                csrf_hash BLOB NOT NULL,
                source TEXT NOT NULL,
                created_at TEXT NOT NULL,
                last_seen_at TEXT NOT NULL
            ) STRICT;
            CREATE INDEX sessions_by_account ON sessions(account_id);
            CREATE TABLE known_sources (
                account TEXT NOT NULL COLLATE NOCASE,
                source TEXT NOT NULL,
                first_seen_at TEXT NOT NULL,
                PRIMARY KEY (account, source)
            ) STRICT;
            """),
        // Issue 12: the name, hash, salt and iterations move into `sealed`, under the account's own key `key_id`;
        // `username` keeps the name's blind index. Rows of older versions are sealed at the next start, by
        // AccountsEncryption (it needs the vault, which SQL cannot reach).
        new(9, """
            ALTER TABLE accounts ADD COLUMN key_id TEXT;
            ALTER TABLE accounts ADD COLUMN sealed BLOB;
            """),
    ];
}
