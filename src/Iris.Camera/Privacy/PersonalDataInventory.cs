using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Iris.Camera.Media;

namespace Iris.Camera.Privacy;

/// <summary>One kind of data the camera keeps: what it is, why, how long, and exactly where.</summary>
public sealed record DataKind(
    string Id,
    string Name,
    bool Personal,
    string Purpose,
    string Retention,
    string Deletion,
    IReadOnlyList<string> Tables,
    IReadOnlyList<string> Files);

/// <summary>
/// The one declaration of everything the camera stores (IoT-1005-1 5.7.1.1): each personal-data kind with its
/// purpose, retention and location, and the device's own non-personal data, so that nothing on disk is
/// undeclared. Served at GET /api/privacy/inventory, shown in the UI, written to docs/privacy-inventory.md;
/// <see cref="InventoryChecker"/> compares it with the real database and data directory.
/// Files are patterns relative to the data directory ("*" = any characters except "/").
/// </summary>
public static class PersonalDataInventory
{
    public const string Recordings = "recordings";
    public const string MotionEvents = "motion-events";
    public const string Accounts = "accounts";
    public const string SecurityLog = "security-log";
    public const string Telemetry = "telemetry";
    public const string Snapshots = "snapshots";

    /// <summary>The kinds an owner can delete one by one (and all at once).</summary>
    public static readonly IReadOnlyList<string> Deletable = [Recordings, MotionEvents, Accounts, SecurityLog, Telemetry];

    public static IReadOnlyList<DataKind> For(MediaOptions media, PrivacyOptions privacy) =>
    [
        new(Recordings, "Recordings", true,
            "Video the owner chose to record (continuous or on motion), for playback and download.",
            $"{media.RecordingRetention.TotalDays.ToString("0.##", CultureInfo.InvariantCulture)} days, within {media.RecordingQuotaBytes / (1024 * 1024)} MiB and a free-disk floor; oldest first.",
            "Per segment, per time range, or all (all destroys the recordings key, so nothing remains readable).",
            ["recordings"], ["recordings/*", "vault/recordings-key.sealed"]),
        new(Snapshots, "Snapshots and live video", true,
            "Shown to signed-in viewers while they watch.",
            "Not stored: frames exist only in memory on their way to a viewer.",
            "Nothing to delete.",
            [], []),
        new(MotionEvents, "Motion events", true,
            "When motion was seen in view (time and changed share of the picture), for the event list and motion recording.",
            "Until deleted by the owner (with the recordings, or on their own).",
            "All at once.",
            ["motion_events"], []),
        new(Accounts, "Account names and sessions", true,
            "Sign-in: user names, roles, password hashes (PBKDF2), session hashes, and the addresses each account signed in from (new-source alerts).",
            "While the account exists; sessions end after their idle or absolute timeout.",
            "Every account except the signed-in administrator, with their sessions and known addresses (the administrator's own goes with a factory reset).",
            ["accounts", "sessions", "known_sources"], []),
        new(SecurityLog, "Security log and alerts", true,
            "Evidence of sign-ins, failures, changes and updates: time, kind, account name and source address (IoT-1005-1 5.5.x).",
            $"{privacy.SecurityLogRetention.TotalDays.ToString("0", CultureInfo.InvariantCulture)} days, then purged automatically.",
            "All entries and alerts; the deletion itself is logged afterwards, without the deleted content.",
            ["security_events", "alerts"], []),
        new(Telemetry, "Telemetry", true,
            "Health and usage counters (nothing personal) sent to the vendor only after an administrator consents; the consent record, which names that administrator, with time and text version.",
            "Consent records until deleted; the last 100 sent payloads, for the owner to inspect.",
            "Sent-payload history and consent records (withdraw consent first to stop sending).",
            ["telemetry_consent", "telemetry_sent"], []),
        new("device-identity", "Device identity and keys", false,
            "The serial number, device certificate, device key, update key and default password (sealed, with its hash): what the device is. While the owner has not set a password and no terminal showed it, the default password also waits in `default-password` (mode 0600).",
            "For the life of the device; a factory reset keeps them. `default-password` is deleted once the owner sets a password.",
            "Not deletable; they identify the device, not a person.",
            [], ["identity/*", "vault/device-key.sealed", "vault/update-key.sealed", "vault/default-password-hash.sealed", "vault/default-password.sealed", "default-password", "keys/storage.key"]),
        new("settings", "Device settings", false,
            "Video source and size (the stream address sealed, as it may hold a password), recording mode, motion, privacy mode, update state.",
            "Until changed or factory reset.",
            "Factory reset.",
            ["settings", "boot_log"], ["vault/video-settings.sealed", "iris.db", "iris.db-wal", "iris.db-shm", "updates/trusted/*.json", "updates/download/*.irfw"]),
        new("transient", "Interrupted writes", false,
            "Temporary files of a write a crash interrupted.",
            "Removed at the next start.",
            "Automatic.",
            [], ["*.tmp-*", "*/*.tmp-*", "*/*/*.tmp-*", "*.partial", "*/*.partial"]),
        new("factory-reset", "Factory reset in progress", false,
            "The reset request and the device's own items staged under the new storage key while a reset runs.",
            "Until the reset finishes (at the next start).",
            "Automatic.",
            [], [Reset.FactoryReset.MarkerFile, "keys/storage.key.next", "vault.next/*"]),
    ];

    /// <summary>docs/privacy-inventory.md; a test fails when the two differ.</summary>
    public static string ToMarkdown(IReadOnlyList<DataKind> kinds)
    {
        var text = new StringBuilder();
        text.AppendLine("# Personal data inventory (generated)");
        text.AppendLine();
        text.AppendLine("Everything the Iris camera stores (IoT-1005-1 5.7.1.1), with the default settings. Generated from");
        text.AppendLine("`src/Iris.Camera/Privacy/PersonalDataInventory.cs`; the device serves it at `GET /api/privacy/inventory`, and a test");
        text.AppendLine("compares it with the real database tables and data-directory files. Regenerate with `IRIS_UPDATE_DOCS=1 dotnet test`.");
        text.AppendLine();
        text.AppendLine("| kind | personal | purpose | retention | deletion | stored in |");
        text.AppendLine("|---|---|---|---|---|---|");
        foreach (var kind in kinds)
        {
            var where = string.Join(", ", kind.Tables.Select(t => $"table `{t}`").Concat(kind.Files.Select(f => $"`{f}`")));
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {kind.Name} (`{kind.Id}`) | {(kind.Personal ? "yes" : "no")} | {kind.Purpose} | {kind.Retention} | {kind.Deletion} | {(where.Length == 0 ? "nowhere" : where)} |");
        }

        return text.ToString();
    }

    /// <summary>Whether a data-directory path (with '/') matches a declared pattern.</summary>
    public static bool Matches(string pattern, string path) =>
        Regex.IsMatch(path, "^" + Regex.Escape(pattern).Replace(@"\*", "[^/]*", StringComparison.Ordinal) + "$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
}

/// <summary>Privacy settings (section Iris:Privacy).</summary>
public sealed class PrivacyOptions
{
    public const string SectionName = "Iris:Privacy";

    public TimeSpan SecurityLogRetention { get; set; } = TimeSpan.FromDays(180);

    public IEnumerable<string> Validate()
    {
        if (SecurityLogRetention < TimeSpan.FromDays(1) || SecurityLogRetention > TimeSpan.FromDays(3650))
        {
            yield return $"{SectionName}:SecurityLogRetention must be 1 to 3650 days.";
        }
    }
}

/// <summary>Compares the declaration with what is really stored: any table or file it does not name is a finding.</summary>
public static class InventoryChecker
{
    public static IReadOnlyList<string> Undeclared(IReadOnlyList<DataKind> kinds, IEnumerable<string> tables, IEnumerable<string> files)
    {
        var declaredTables = kinds.SelectMany(k => k.Tables).ToHashSet(StringComparer.Ordinal);
        var patterns = kinds.SelectMany(k => k.Files).ToList();
        return
        [
            .. tables.Where(t => !declaredTables.Contains(t)).Select(t => $"table {t}"),
            .. files.Where(f => !patterns.Any(p => PersonalDataInventory.Matches(p, f))).Select(f => $"file {f}"),
        ];
    }
}
