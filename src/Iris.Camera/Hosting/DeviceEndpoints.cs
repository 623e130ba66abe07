using Iris.Camera.Accounts;
using Iris.Camera.Identity;
using Iris.Camera.Platform;
using Iris.Camera.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Iris.Camera.Hosting;

/// <summary>What anyone on the network may learn: identity, software version and the end of security updates (5.3.1.4).</summary>
public sealed record DeviceInfo(string Serial, string Model, string Vendor, string SoftwareVersion, DateOnly? SecurityUpdatesUntil, IdentityOrigin Identity, string StartId);

/// <summary>
/// The permission table as served: a named type, not an anonymous one, because the request delegate generator
/// that Native AOT needs cannot emit code for a lambda returning an anonymous type (issue 18).
/// </summary>
public sealed record PermissionsDocument(IReadOnlyDictionary<Role, IReadOnlySet<Privilege>> Roles, IReadOnlyList<EndpointAccess> Endpoints);

/// <summary>The device as a whole: identity, its declared network services, and the permission table. Nothing secret.</summary>
internal static class DeviceEndpoints
{
    public static IEndpointRouteBuilder MapDeviceEndpoints(this IEndpointRouteBuilder routes)
    {
        var device = routes.MapGroup("/api/device");
        device.MapGet("/", GetDevice).WithName("GetDevice").AllowAnyone("Serial, model and software version.");
        device.MapGet("/services", (ServiceManifest manifest) => TypedResults.Ok(manifest.Document())).WithName("GetServiceManifest").AllowAnyone("Declared network services.");
        device.MapGet("/permissions", (PermissionTable table) => TypedResults.Ok(new PermissionsDocument(PermissionTable.Grants, table.Entries))).WithName("GetPermissions").AllowAnyone("This table.");
        return routes;
    }

    private static Ok<DeviceInfo> GetDevice(DeviceIdentity identity, DeviceOptions device, SoftwareInfo software) =>
        TypedResults.Ok(new DeviceInfo(identity.Serial, identity.Model, identity.Vendor.Length > 0 ? identity.Vendor : device.Vendor, software.Version, software.SupportEnd, identity.Origin, software.StartId));
}
