using Iris.Camera.Platform;

namespace Iris.Camera.Hosting;

/// <summary>What the device says about itself as a whole: identity, declared services, the permission table.</summary>
internal sealed class HostingModule : CameraModule
{
    public override void MapEndpoints(IEndpointRouteBuilder routes) => routes.MapDeviceEndpoints().MapSbomEndpoints();
}
