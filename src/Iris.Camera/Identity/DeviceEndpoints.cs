using Iris.Camera.Accounts;
using Iris.Camera.Hosting;
using Iris.Camera.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Iris.Camera.Identity;

/// <summary>What anyone may learn about the device without logging in: nothing secret.</summary>
public sealed record DeviceInfo(string Serial, string Model, string Vendor, string SoftwareVersion, IdentityOrigin Identity);

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
        TypedResults.Ok(new DeviceInfo(identity.Serial, identity.Model, device.Vendor, software.Version, identity.Origin));

    private static Ok<ServiceManifestDocument> GetServices(HttpsOptions https) =>
        TypedResults.Ok(ServiceManifest.For(https));
}
