namespace Iris.Camera.Storage;

/// <summary>
/// Schema migrations, in order. A migration is never edited once released: add a new one. The schema version
/// is SQLite's user_version and changes in the same transaction as the migration.
/// </summary>
internal static class Migrations
{
    public static IReadOnlyList<string> All { get; } =
    [
        // 1: boot log (restarts are visible, 5.6.1.1) and device settings.
        """
        CREATE TABLE boot_log (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            software_version TEXT NOT NULL,
            identity_origin TEXT NOT NULL
        ) STRICT;
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            updated_at TEXT NOT NULL
        ) STRICT;
        """,

        // 2: accounts, sessions (tokens stored as SHA-256 only), hash-chained security events, alerts.
        """
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
        CREATE TABLE security_events (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            kind TEXT NOT NULL,
            serial TEXT NOT NULL,
            source TEXT,
            account TEXT,
            detail TEXT,
            previous_hash BLOB NOT NULL,
            hash BLOB NOT NULL
        ) STRICT;
        CREATE TABLE alerts (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            kind TEXT NOT NULL,
            serial TEXT NOT NULL,
            source TEXT,
            account TEXT,
            message TEXT NOT NULL,
            acknowledged_at TEXT
        ) STRICT;
        """,

        // 3: motion events (personal data: when someone was in view; deletable with the recordings).
        """
        CREATE TABLE motion_events (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            changed_share REAL NOT NULL
        ) STRICT;
        """,

        // 4: the index of encrypted recording segments (the frames are only in the sealed files).
        """
        CREATE TABLE recordings (
            id INTEGER PRIMARY KEY,
            file TEXT NOT NULL UNIQUE,
            started_at TEXT NOT NULL,
            ended_at TEXT NOT NULL,
            frames INTEGER NOT NULL,
            bytes INTEGER NOT NULL,
            complete INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX recordings_by_start ON recordings(started_at);
        """,

        // 5: telemetry consent (who agreed to which text, when; and withdrawals) and what was sent (counters only).
        """
        CREATE TABLE telemetry_consent (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('granted', 'withdrawn')),
            text_version TEXT NOT NULL,
            account TEXT NOT NULL
        ) STRICT;
        CREATE TABLE telemetry_sent (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            payload TEXT NOT NULL,
            result TEXT NOT NULL
        ) STRICT;
        """,
    ];

    public static int LatestVersion => All.Count;
}
