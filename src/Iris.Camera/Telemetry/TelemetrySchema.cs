using Iris.Camera.Storage;

namespace Iris.Camera.Telemetry;

/// <summary>The tables the telemetry module owns: consent (who agreed to which text, when; and withdrawals) and what was sent (counters only).</summary>
internal static class TelemetrySchema
{
    public static IReadOnlyList<SchemaMigration> Migrations { get; } =
    [
        new(5, """
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
            """),
        // Issue 12: payloads and the consenting account's name are sealed under the `telemetry` field key; rows
        // of older versions are sealed at the next start (TelemetryEncryption), then this flag is 1.
        new(9, """
            ALTER TABLE telemetry_sent ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE telemetry_consent ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0;
            """),
    ];
}
