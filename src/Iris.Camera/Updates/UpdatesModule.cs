using Iris.Camera.Platform;
using Iris.Camera.Storage;
using Iris.Camera.Web;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Iris.Camera.Updates;

/// <summary>The update agent: scheduled checks, signed and encrypted bundles, A/B install, boot health.</summary>
internal sealed class UpdatesModule : CameraModule
{
    public override void AddServices(ModuleServices module)
    {
        module.Settings<UpdateOptions>(UpdateOptions.SectionName, o => o.Validate());
        var services = module.Services;
        services.AddSingleton<UpdateKeyStore>();
        services.AddSingleton<UpdateAgent>();
        services.AddHostedService(sp => sp.GetRequiredService<UpdateAgent>());
        services.AddHostedService<BootHealth>();
        services.AddSingleton<IDeclaresServices, UpdatesServices>();
        services.AddSingleton<IStoredData, UpdatesData>();
    }

    public override void Open(IServiceProvider services) => services.GetRequiredService<UpdateAgent>().Initialise();

    public override void MapEndpoints(IEndpointRouteBuilder routes) => routes.MapUpdateEndpoints();
}
