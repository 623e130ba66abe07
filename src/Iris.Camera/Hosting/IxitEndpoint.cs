using System.Globalization;
using System.Text.Json;
using Iris.Camera.Accounts;
using Iris.Camera.Identity;
using Iris.Camera.Link;
using Iris.Camera.Platform;
using Iris.Camera.Privacy;
using Iris.Camera.Updates;
using Iris.Camera.Web;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;

namespace Iris.Camera.Hosting;

/// <summary>A declared network service in the IXIT's shape (Iris.Lab's ixit.schema.json).</summary>
public sealed record IxitServiceDeclaration(string Transport, int Port, string Protocol, string Purpose);

public sealed record IxitRoleDeclaration(string Name, IReadOnlyList<string> Rights);

public sealed record IxitLoginDeclaration(string Kind, string Path, string UsernameField, string PasswordField, string? Username);

public sealed record IxitUpdateDeclaration(string Mechanism, string? Server);

public sealed record IxitDebugDeclaration(string Name, string Access);

/// <summary>Where the camera pushes its alerts: "mqtt" (broker and topic) or "webhook" (url).</summary>
public sealed record IxitAlertDeclaration(string Kind, string? Broker, string? Topic, string? Url);

/// <summary>A mapped HTTP endpoint: method, route template, the body it accepts ("none", "json", "form", "multipart",
/// "binary") and who may call it ("anyone", "any session" or the permission), as docs/permissions.md lists it.</summary>
public sealed record IxitHttpEndpointDeclaration(string Method, string Path, string Body, string Access);

/// <summary>The camera's IXIT: the declarations a test lab checks its observations against (ETSI TS 103 701).</summary>
public sealed record IxitDocument(
    string Vendor,
    string Model,
    string FirmwareVersion,
    IReadOnlyList<IxitServiceDeclaration> Services,
    IReadOnlyList<IxitRoleDeclaration> Roles,
    IxitLoginDeclaration Login,
    IxitUpdateDeclaration Update,
    string? SupportEnd,
    IReadOnlyList<string> PersonalData,
    IReadOnlyList<IxitDebugDeclaration> DebugInterfaces,
    string? SecurityTxt,
    string TlsTrustAnchorPem,
    string DeviceIdentifier,
    IReadOnlyList<IxitAlertDeclaration> Alerts,
    IReadOnlyList<IxitHttpEndpointDeclaration> Endpoints);

/// <summary>
/// GET /api/device/ixit: the camera's implementation information for conformance testing, built from the same
/// sources as its generated documents (service manifest, permission table, personal-data inventory), so what a
/// lab checks the device against cannot drift from what the device enforces. Nothing in it is secret: each part is
/// already public (services, permissions, certificate) or printed in the documentation.
/// </summary>
internal static class IxitEndpoint
{
    public const string Route = "/api/device/ixit";

    public static IEndpointRouteBuilder MapIxit(this IEndpointRouteBuilder routes)
    {
        routes.MapGet(Route, Get).WithName("GetIxit").AllowAnyone("Implementation information for conformance testing (IXIT, ETSI TS 103 701).");
        return routes;
    }

    private static Ok<IxitDocument> Get(DeviceIdentity identity, DeviceOptions device, SoftwareInfo software, ServiceManifest manifest,
        PersonalDataInventory inventory, UpdateOptions updates, SecurityTxtOptions securityTxt, CloudOptions cloud, MqttConnection mqtt, EndpointDataSource endpoints) =>
        TypedResults.Ok(new IxitDocument(
            device.Vendor,
            identity.Model,
            software.Version,
            [.. manifest.Document().Listeners.Select(l => new IxitServiceDeclaration(l.Transport, PortOf(l.Endpoint), l.Name, l.Purpose))],
            // Role names as GET /api/device/permissions spells them; rights as docs/permissions.md names them.
            [.. PermissionTable.Grants.Select(g => new IxitRoleDeclaration(JsonNamingPolicy.CamelCase.ConvertName(g.Key.ToString()), [.. g.Value.Select(p => p.ToString()).Order(StringComparer.Ordinal)]))],
            new IxitLoginDeclaration("iris-nonce-json", "/api/auth/login", "username", "password", null),
            new IxitUpdateDeclaration("Signed (ECDSA P-256), AES-256-GCM encrypted bundles into an A/B slot, from a TLS 1.2+ repository", updates.RepositoryUrl),
            software.SupportEnd?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            [.. inventory.Kinds.Where(k => k.Personal).Select(k => k.Name)],
            [new IxitDebugDeclaration("debug console", "off by default; an administrator enables it and each use needs a vendor-signed, device-unique unlock token")],
            securityTxt.IsConfigured ? SecurityTxtEndpoints.Path : null,
            // A factory identity chains to the device CA (its last certificate); a development identity is its own anchor.
            (identity.Chain.Count > 0 ? identity.Chain[^1] : identity.Certificate).ExportCertificatePem(),
            identity.Serial,
            // The link's own settings and topic: alerts go only where an administrator configured them.
            [.. cloud.MqttConfigured ? [new IxitAlertDeclaration("mqtt", string.Create(CultureInfo.InvariantCulture, $"mqtts://{cloud.BrokerHost}:{cloud.BrokerPort}"), mqtt.AlertTopic, null)] : Array.Empty<IxitAlertDeclaration>(),
             .. cloud.WebhookConfigured ? [new IxitAlertDeclaration("webhook", null, null, cloud.WebhookUrl!.ToString())] : Array.Empty<IxitAlertDeclaration>()],
            // The permission table's rows (docs/permissions.md), each with the body kind its handler binds.
            [.. endpoints.Endpoints.OfType<RouteEndpoint>()
                .SelectMany(e => PermissionTable.Read([e]).Select(a => new IxitHttpEndpointDeclaration(a.Method, a.Route, BodyOf(e), AccessOf(a))))
                .OrderBy(e => e.Path, StringComparer.Ordinal).ThenBy(e => e.Method, StringComparer.Ordinal)]));

    private static string BodyOf(RouteEndpoint endpoint) =>
        endpoint.Metadata.GetMetadata<IAcceptsMetadata>()?.ContentTypes is not { Count: > 0 } types ? "none"
        : types.Any(t => t.Contains("json", StringComparison.OrdinalIgnoreCase)) ? "json"
        : types.Any(t => t.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase)) ? "multipart"
        : types.Any(t => t.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)) ? "form"
        : "binary";

    private static string AccessOf(EndpointAccess access) => access.Kind switch
    {
        AccessKind.Anonymous => "anyone",
        AccessKind.AnySession => "any session",
        _ => access.Permission?.ToString() ?? "nobody",
    };

    private static int PortOf(string endpoint)
    {
        var colon = endpoint.LastIndexOf(':');
        return colon >= 0 && int.TryParse(endpoint.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) ? port : 0;
    }
}
