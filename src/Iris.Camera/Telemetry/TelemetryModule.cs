using Iris.Camera.Platform;
using Iris.Camera.Storage;
using Iris.Camera.Web;

namespace Iris.Camera.Telemetry;

/// <summary>Telemetry, sent only with an administrator's informed consent.</summary>
internal sealed class TelemetryModule : CameraModule
{
    public override void AddServices(ModuleServices module)
    {
        var options = module.Settings<TelemetryOptions>(TelemetryOptions.SectionName, o => o.Validate());
        var services = module.Services;
        services.AddSchema(TelemetrySchema.Migrations);
        services.AddTelemetry(options);
        services.AddSingleton<IDeclaresServices, TelemetryServices>();
        services.AddSingleton<IStoredData, TelemetryData>();
        services.AddSingleton<TelemetryEncryption>();
        services.AddSingleton<IFieldKeyHolder, TelemetryKeyHolder>();
    }

    public override void Open(IServiceProvider services) => services.GetRequiredService<TelemetryEncryption>().Run();

    public override void MapEndpoints(IEndpointRouteBuilder routes) => routes.MapTelemetryEndpoints();
}
