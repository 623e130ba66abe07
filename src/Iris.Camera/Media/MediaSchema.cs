using Iris.Camera.Storage;

namespace Iris.Camera.Media;

/// <summary>The tables the media module owns: motion events (personal data: when someone was in view) and the index of encrypted recording segments (the frames are only in the sealed files).</summary>
internal static class MediaSchema
{
    public static IReadOnlyList<SchemaMigration> Migrations { get; } =
    [
        new(3, """
            CREATE TABLE motion_events (
                id INTEGER PRIMARY KEY,
                at TEXT NOT NULL,
                changed_share REAL NOT NULL
            ) STRICT;
            """),
        new(4, """
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
            """),
    ];
}
