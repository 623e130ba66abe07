using Iris.Camera.Storage;

namespace Iris.Camera.Events;

/// <summary>The tables the events module owns: the hash-chained security event log and the alert inbox.</summary>
internal static class EventsSchema
{
    public static IReadOnlyList<SchemaMigration> Migrations { get; } =
    [
        new(2, """
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
            """),
        new(6, """
            ALTER TABLE security_events ADD COLUMN salt BLOB;
            ALTER TABLE security_events ADD COLUMN commitments BLOB;
            """),
        // Issue 12: source, account, detail, message and salt are sealed under the security-log field key
        // (EventFields); rows of older versions are sealed at the next start, then this flag is 1.
        new(9, """
            ALTER TABLE security_events ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE alerts ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0;
            """),
    ];
}
