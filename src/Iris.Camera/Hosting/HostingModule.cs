using Iris.Camera.Platform;

namespace Iris.Camera.Hosting;

/// <summary>What the device says about itself as a whole: identity, declared services, the permission table.</summary>
internal sealed class HostingModule : CameraModule
{
    public override void AddServices(ModuleServices module)
    {
        module.Settings<SecurityTxtOptions>(SecurityTxtOptions.SectionName);
        module.Services.AddHttpJsonContexts();
    }

    public override void Open(IServiceProvider services) =>
        SecurityTxtEndpoints.CheckAtStart(services.GetRequiredService<SecurityTxtOptions>(), services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<ILoggerFactory>().CreateLogger("Iris.Camera.Hosting"));

    public override void MapEndpoints(IEndpointRouteBuilder routes)
    {
        routes.MapDeviceEndpoints();
        routes.MapSecurityTxt();
        routes.MapSbomEndpoints();
        routes.MapIxit();
    }
}
