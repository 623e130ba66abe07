using System.Globalization;
using System.Text;

namespace Iris.Camera.Accounts;

/// <summary>What a role may do. Each endpoint needs at most one permission (see <see cref="PermissionTable"/>).</summary>
public enum Privilege
{
    ManageUsers,
    ViewSecurityLog,
    ManageSettings,
    ManageUpdates,
    LiveView,
    ViewRecordings,
    DeleteRecordings,
    ManagePersonalData,
    FactoryReset,
}

/// <summary>Who may call an endpoint.</summary>
public enum AccessKind
{
    /// <summary>Anyone, without signing in.</summary>
    Anonymous,

    /// <summary>Any signed-in session, including one that must still change its password.</summary>
    AnySession,

    /// <summary>A full session whose role grants <see cref="EndpointAccess.Permission"/>.</summary>
    Permission,
}

public sealed record EndpointAccess(string Endpoint, string Method, string Route, AccessKind Kind, Privilege? Permission, string Purpose);

/// <summary>
/// The one permission table (5.1.2.1). The access middleware enforces it for every endpoint (an endpoint missing
/// from it is refused), docs/permissions.md and GET /api/device/permissions are generated from it, and a test
/// calls every endpoint with every role and compares the outcome with it.
/// </summary>
public static class PermissionTable
{
    public static IReadOnlyDictionary<Role, IReadOnlySet<Privilege>> Grants { get; } = new Dictionary<Role, IReadOnlySet<Privilege>>
    {
        [Role.Administrator] = new HashSet<Privilege>(Enum.GetValues<Privilege>()),
        [Role.Viewer] = new HashSet<Privilege> { Privilege.LiveView, Privilege.ViewRecordings },
    };

    public static IReadOnlyList<EndpointAccess> Entries { get; } =
    [
        Anonymous("GetDevice", "GET", "/api/device", "Serial, model and software version."),
        Anonymous("GetServiceManifest", "GET", "/api/device/services", "Declared network services."),
        Anonymous("GetPermissions", "GET", "/api/device/permissions", "This table."),
        Anonymous("IssueLoginNonce", "POST", "/api/auth/nonce", "A single-use nonce for the next login."),
        Anonymous("Login", "POST", "/api/auth/login", "Sign in with username, password and nonce."),
        Session("GetSession", "GET", "/api/auth/session", "Who is signed in, and whether the password must change."),
        Session("Logout", "POST", "/api/auth/logout", "End this session."),
        Session("ChangeOwnPassword", "POST", "/api/auth/password", "Change one's own password (the only step a default-password session may take)."),
        Needs("ListUsers", "GET", "/api/users", Privilege.ManageUsers, "List accounts."),
        Needs("CreateUser", "POST", "/api/users", Privilege.ManageUsers, "Create an account."),
        Needs("UpdateUser", "PATCH", "/api/users/{username}", Privilege.ManageUsers, "Change an account's role or disable it."),
        Needs("DeleteUser", "DELETE", "/api/users/{username}", Privilege.ManageUsers, "Delete an account (never the last administrator)."),
        Needs("ResetUserPassword", "POST", "/api/users/{username}/password", Privilege.ManageUsers, "Set a temporary password the user must change."),
        Needs("ListSecurityEvents", "GET", "/api/security/events", Privilege.ViewSecurityLog, "Read the security event log."),
        Needs("VerifySecurityEvents", "GET", "/api/security/events/verify", Privilege.ViewSecurityLog, "Check the event log's hash chain."),
        Needs("ListAlerts", "GET", "/api/security/alerts", Privilege.ViewSecurityLog, "Read the alert inbox."),
        Needs("AcknowledgeAlert", "POST", "/api/security/alerts/{id}/acknowledge", Privilege.ViewSecurityLog, "Mark an alert as seen."),
        Needs("LiveView", "GET", "/api/media/live", Privilege.LiveView, "Live video (MJPEG over TLS)."),
        Needs("Snapshot", "GET", "/api/media/snapshot", Privilege.LiveView, "One JPEG frame."),
        Needs("GetPrivacyMode", "GET", "/api/media/privacy", Privilege.LiveView, "Whether privacy mode is on."),
        Needs("SetPrivacyMode", "PUT", "/api/media/privacy", Privilege.ManageSettings, "Turn privacy mode on or off."),
        Needs("GetVideoSettings", "GET", "/api/media/video", Privilege.ManageSettings, "Video source, resolution and frame rate."),
        Needs("SetVideoSettings", "PUT", "/api/media/video", Privilege.ManageSettings, "Choose the video source (test pattern, V4L2 camera, file or stream), resolution and frame rate."),
        Needs("GetMotionSettings", "GET", "/api/media/motion", Privilege.ManageSettings, "Motion detection settings."),
        Needs("SetMotionSettings", "PUT", "/api/media/motion", Privilege.ManageSettings, "Change motion detection (on/off, sensitivity, zones)."),
        Needs("ListMotionEvents", "GET", "/api/media/motion-events", Privilege.ViewRecordings, "When motion was seen."),
        Needs("ListRecordings", "GET", "/api/recordings", Privilege.ViewRecordings, "List recorded segments."),
        Needs("PlayRecording", "GET", "/api/recordings/{id:long}", Privilege.ViewRecordings, "Play or download a segment (decrypted on the fly)."),
        Needs("DeleteRecording", "DELETE", "/api/recordings/{id:long}", Privilege.DeleteRecordings, "Delete one segment."),
        Needs("DeleteRecordings", "DELETE", "/api/recordings", Privilege.DeleteRecordings, "Delete a time range, or everything (destroys the recordings key)."),
        Needs("GetUpdateStatus", "GET", "/api/updates", Privilege.ManageUpdates, "Installed version, slot, last check, available update, progress, last install, rollback, support end."),
        Needs("CheckForUpdates", "POST", "/api/updates/check", Privilege.ManageUpdates, "Check the vendor repository now."),
        Needs("InstallUpdate", "POST", "/api/updates/install", Privilege.ManageUpdates, "Install the available update into the inactive slot and restart into it."),
        Needs("SetUpdateSettings", "PUT", "/api/updates/settings", Privilege.ManageUpdates, "Choose automatic or manual installation."),
        Anonymous("GetPersonalDataInventory", "GET", "/api/privacy/inventory", "What personal data the camera keeps, why, for how long, and where."),
        Needs("DeletePersonalData", "DELETE", "/api/privacy/data/{kind}", Privilege.ManagePersonalData, "Delete one kind of personal data (recordings, motion events, accounts, security log, telemetry)."),
        Needs("DeleteAllPersonalData", "DELETE", "/api/privacy/data", Privilege.ManagePersonalData, "Delete every kind of personal data at once."),
        Needs("GetTelemetry", "GET", "/api/telemetry", Privilege.ManageSettings, "The telemetry consent screen: what is sent, why, to whom, the exact payload, and the consent state."),
        Needs("GrantTelemetryConsent", "PUT", "/api/telemetry/consent", Privilege.ManageSettings, "Consent to telemetry under the consent text version shown."),
        Needs("WithdrawTelemetryConsent", "DELETE", "/api/telemetry/consent", Privilege.ManageSettings, "Withdraw consent; sending stops at once."),
        Needs("FactoryReset", "POST", "/api/device/factory-reset", Privilege.FactoryReset, "Crypto-erase: destroy the storage key, delete all owner data, return to the factory default password (password re-entry required)."),
        Needs("GetRecordingSettings", "GET", "/api/recordings/settings", Privilege.ManageSettings, "Recording mode."),
        Needs("SetRecordingSettings", "PUT", "/api/recordings/settings", Privilege.ManageSettings, "Set the recording mode (off, continuous, motion)."),
    ];

    public static EndpointAccess? Find(string? endpointName) =>
        endpointName is null ? null : Entries.FirstOrDefault(e => e.Endpoint == endpointName);

    public static bool Allows(EndpointAccess entry, CameraSession? session) => entry.Kind switch
    {
        AccessKind.Anonymous => true,
        AccessKind.AnySession => session is not null,
        _ => session is { MustChangePassword: false } && Grants[session.Role].Contains(entry.Permission!.Value),
    };

    /// <summary>The Markdown kept in docs/permissions.md; a test fails when the two differ.</summary>
    public static string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine("# Roles and permissions (generated)");
        text.AppendLine();
        text.AppendLine("Generated from `src/Iris.Camera/Accounts/Permissions.cs`, the table the camera enforces (IoT-1005-1 5.1.2.1);");
        text.AppendLine("the device serves it at `GET /api/device/permissions`. Regenerate with `IRIS_UPDATE_DOCS=1 dotnet test`.");
        text.AppendLine();
        text.AppendLine("A session signed in with the default password may only use the endpoints marked *any session* until it");
        text.AppendLine("sets a new password. Endpoints not in this table are refused.");
        text.AppendLine();
        text.AppendLine("| role | permissions |");
        text.AppendLine("|---|---|");
        foreach (var (role, permissions) in Grants)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {role} | {string.Join(", ", permissions.Order())} |");
        }

        text.AppendLine();
        text.AppendLine("| method | route | who | administrator | viewer | purpose |");
        text.AppendLine("|---|---|---|---|---|---|");
        foreach (var e in Entries)
        {
            var who = e.Kind switch { AccessKind.Anonymous => "anyone", AccessKind.AnySession => "any session", _ => e.Permission.ToString() };
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {e.Method} | `{e.Route}` | {who} | {Mark(e, Role.Administrator)} | {Mark(e, Role.Viewer)} | {e.Purpose} |");
        }

        return text.ToString();
    }

    private static string Mark(EndpointAccess entry, Role role) =>
        Allows(entry, new CameraSession(0, "x", role, false, [], [])) ? "yes" : "no";

    private static EndpointAccess Anonymous(string name, string method, string route, string purpose) => new(name, method, route, AccessKind.Anonymous, null, purpose);

    private static EndpointAccess Session(string name, string method, string route, string purpose) => new(name, method, route, AccessKind.AnySession, null, purpose);

    private static EndpointAccess Needs(string name, string method, string route, Privilege permission, string purpose) => new(name, method, route, AccessKind.Permission, permission, purpose);
}
