namespace Iris.Camera.Storage;

/// <summary>
/// The tables the storage module owns: the boot log (restarts are visible, 5.6.1.1), the key-value settings, and
/// an always-empty table whose zero-filled rows overwrite the WAL after a deletion (<see cref="WalScrub"/>).
/// </summary>
internal static class StorageSchema
{
    public static IReadOnlyList<SchemaMigration> Migrations { get; } =
    [
        new(1, """
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
            """),
        new(7, """
            CREATE TABLE storage_scrub (
                fill BLOB NOT NULL
            ) STRICT;
            """),
    ];
}
