using Iris.Camera.Storage;

namespace Iris.Camera.Link;

/// <summary>
/// The tables the link module owns: the alert outbox (what still has to reach the platform, per channel) and its
/// counters, the paired owner-app keys, and the ids of commands already seen (the replay cache). AUTOINCREMENT so a sequence number is never reused, even when the newest rows were delivered and deleted.
/// </summary>
internal static class LinkSchema
{
    public static IReadOnlyList<SchemaMigration> Migrations { get; } =
    [
        new(8, """
            CREATE TABLE link_outbox (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                message_id TEXT NOT NULL UNIQUE,
                at TEXT NOT NULL,
                kind TEXT NOT NULL,
                reference_id INTEGER NOT NULL,
                source TEXT,
                message TEXT NOT NULL,
                mqtt_pending INTEGER NOT NULL CHECK (mqtt_pending IN (0, 1)),
                webhook_pending INTEGER NOT NULL CHECK (webhook_pending IN (0, 1))
            ) STRICT;
            CREATE TABLE link_counters (
                name TEXT PRIMARY KEY,
                value INTEGER NOT NULL
            ) STRICT;
            CREATE TABLE link_keys (
                key_id TEXT PRIMARY KEY,
                public_key BLOB NOT NULL,
                role TEXT NOT NULL CHECK (role IN ('Administrator', 'Viewer')),
                label TEXT NOT NULL,
                paired_at TEXT NOT NULL,
                paired_by TEXT NOT NULL,
                revoked_at TEXT
            ) STRICT;
            CREATE TABLE link_seen_commands (
                command_id TEXT PRIMARY KEY,
                expires_at TEXT NOT NULL
            ) STRICT;
            """),
        // Issue 12 (outside review): an alert waiting for the platform named the account and the address it came
        // from in clear text, and a paired key the administrator who paired it. They are sealed under field keys
        // the camera can destroy (LinkFields); rows of version 8 are sealed at the next start, then this flag is 1.
        new(10, """
            ALTER TABLE link_outbox ADD COLUMN account TEXT;
            ALTER TABLE link_outbox ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE link_keys ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0;
            """),
    ];
}
