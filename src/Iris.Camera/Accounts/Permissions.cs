using System.Globalization;
using System.Text;
using Iris.Camera.Web;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Iris.Camera.Accounts;

/// <summary>One row of the permission table: a mapped endpoint and its <see cref="AccessRule"/>.</summary>
public sealed record EndpointAccess(string Endpoint, string Method, string Route, AccessKind Kind, Privilege? Permission, string Purpose);

/// <summary>
/// The one permission table (5.1.2.1), read from the endpoints themselves: the access middleware enforces each
/// endpoint's <see cref="AccessRule"/> (an endpoint without one is refused), and docs/permissions.md and
/// GET /api/device/permissions are generated from the same endpoint data source, so they cannot drift apart.
/// </summary>
public sealed class PermissionTable(EndpointDataSource endpoints)
{
    private IReadOnlyList<EndpointAccess>? _entries;

    public static IReadOnlyDictionary<Role, IReadOnlySet<Privilege>> Grants { get; } = new Dictionary<Role, IReadOnlySet<Privilege>>
    {
        [Role.Administrator] = new HashSet<Privilege>(Enum.GetValues<Privilege>()),
        [Role.Viewer] = new HashSet<Privilege> { Privilege.LiveView, Privilege.ViewRecordings },
    };

    /// <summary>Every mapped endpoint that declares a permission, by route and method.</summary>
    public IReadOnlyList<EndpointAccess> Entries => _entries ??= Read(endpoints.Endpoints);

    /// <summary>Mapped endpoints that declare no permission (each refused to everybody); a test keeps this empty.</summary>
    public IReadOnlyList<string> Undeclared =>
    [
        .. endpoints.Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<AccessRule>() is null)
            .Select(e => $"{Method(e)} {Route(e.RoutePattern)}"),
    ];

    public static IReadOnlyList<EndpointAccess> Read(IEnumerable<Endpoint> endpoints) =>
    [
        .. endpoints.OfType<RouteEndpoint>()
            .Select(e => (Endpoint: e, Permission: e.Metadata.GetMetadata<AccessRule>()))
            .Where(e => e.Permission is not null)
            .Select(e => new EndpointAccess(
                e.Endpoint.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? e.Endpoint.DisplayName ?? "",
                Method(e.Endpoint),
                Route(e.Endpoint.RoutePattern),
                e.Permission!.Kind,
                e.Permission.Permission,
                e.Permission.Purpose))
            .OrderBy(e => e.Route, StringComparer.Ordinal)
            .ThenBy(e => e.Method, StringComparer.Ordinal),
    ];

    public static bool Allows(AccessRule permission, CameraSession? session) => permission.Kind switch
    {
        AccessKind.Anonymous => true,
        AccessKind.AnySession => session is not null,
        _ => session is { MustChangePassword: false } && Grants[session.Role].Contains(permission.Permission!.Value),
    };

    public static bool Allows(EndpointAccess entry, CameraSession? session) =>
        Allows(new AccessRule(entry.Kind, entry.Permission, entry.Purpose), session);

    /// <summary>The Markdown kept in docs/permissions.md; a test fails when the two differ.</summary>
    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine("# Roles and permissions (generated)");
        text.AppendLine();
        text.AppendLine("Generated from the permission each endpoint declares where it is mapped (`src/Iris.Camera/*/…Endpoints.cs`),");
        text.AppendLine("which the camera enforces (IoT-1005-1 5.1.2.1); the device serves it at `GET /api/device/permissions`.");
        text.AppendLine("Regenerate with `IRIS_UPDATE_DOCS=1 dotnet test`.");
        text.AppendLine();
        text.AppendLine("A session signed in with the default password may only use the endpoints marked *any session* until it");
        text.AppendLine("sets a new password. An endpoint that declares no permission is refused to everybody.");
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

    private static string Method(RouteEndpoint endpoint) =>
        endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods is [var only] ? only : "*";

    private static string Route(RoutePattern pattern) => "/" + (pattern.RawText ?? "").Trim('/');
}
