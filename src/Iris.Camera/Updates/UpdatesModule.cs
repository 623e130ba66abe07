using Iris.Camera.Platform;
using Iris.Camera.Storage;
using Iris.Camera.Web;

namespace Iris.Camera.Updates;

/// <summary>The update agent: scheduled checks, signed and encrypted bundles, A/B install, boot health.</summary>
internal sealed class UpdatesModule : CameraModule
{
    public override void AddServices(ModuleServices module)
    {
        var options = module.Settings<UpdateOptions>(UpdateOptions.SectionName, o => o.Validate());
        var services = module.Services;
        services.AddUpdates(options);
        services.AddSingleton<IDeclaresServices, UpdatesServices>();
        services.AddSingleton<IStoredData, UpdatesData>();
    }

    public override void Open(IServiceProvider services) => services.InitialiseUpdates();

    public override void MapEndpoints(IEndpointRouteBuilder routes) => routes.MapUpdateEndpoints();
}
