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
    ];

    public static int LatestVersion => All.Count;
}
