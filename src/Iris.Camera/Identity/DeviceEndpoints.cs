using Iris.Camera.Accounts;
using Iris.Camera.Hosting;
using Iris.Camera.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Iris.Camera.Identity;

/// <summary>What anyone may learn about the device without logging in: nothing secret.</summary>
/// <summary>What anyone on the network may learn: identity, software version and the end of security updates (5.3.1.4).</summary>
public sealed record DeviceInfo(string Serial, string Model, string Vendor, string SoftwareVersion, DateOnly? SecurityUpdatesUntil, IdentityOrigin Identity);

internal static class DeviceEndpoints
{
    public static IEndpointRouteBuilder MapDeviceEndpoints(this IEndpointRouteBuilder routes)
    {
        var device = routes.MapGroup("/api/device");
        device.MapGet("/", GetDevice).WithName("GetDevice");
        device.MapGet("/services", GetServices).WithName("GetServiceManifest");
        device.MapGet("/permissions", () => TypedResults.Ok(new { roles = PermissionTable.Grants, endpoints = PermissionTable.Entries })).WithName("GetPermissions");
        return routes;
    }

    private static Ok<DeviceInfo> GetDevice(DeviceIdentity identity, DeviceOptions device, SoftwareInfo software) =>
        TypedResults.Ok(new DeviceInfo(identity.Serial, identity.Model, device.Vendor, software.Version, software.SupportEnd, identity.Origin));

    private static Ok<ServiceManifestDocument> GetServices(HttpsOptions https, Updates.UpdateOptions updates, Telemetry.TelemetryOptions telemetry) =>
        TypedResults.Ok(ServiceManifest.For(https, updates, telemetry));
}
