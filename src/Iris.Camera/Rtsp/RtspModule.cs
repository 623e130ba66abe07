using Iris.Camera.Platform;
using Iris.Camera.Web;

namespace Iris.Camera.Rtsp;

/// <summary>RTSPS: the live encoded stream for recorders and home automation, over TLS only, off until turned on.</summary>
internal sealed class RtspModule : CameraModule
{
    public override void AddServices(ModuleServices module)
    {
        module.Settings<RtspOptions>(RtspOptions.SectionName);
        var services = module.Services;
        services.AddSingleton<RtspAuthenticator>();
        services.AddSingleton<RtspConnectionServices>();
        services.AddSingleton<RtspServer>();
        services.AddHostedService(s => s.GetRequiredService<RtspServer>());
        services.AddSingleton<IDeclaresServices, RtspServices>();
    }

    public override void MapEndpoints(IEndpointRouteBuilder routes) => routes.MapRtspEndpoints();
}
