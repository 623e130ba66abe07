using Iris.Camera.Platform;
using Iris.Camera.Storage;
using Iris.Camera.Vault;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Iris.Camera.Reset;

/// <summary>Factory reset by crypto-erase, from the API or a held reset button.</summary>
internal sealed class ResetModule : CameraModule
{
    public override void AddServices(ModuleServices module)
    {
        var reset = module.Settings<ResetOptions>(ResetOptions.SectionName);
        var services = module.Services;
        services.AddSingleton<FactoryResetService>();
        services.AddSingleton<IStoredData, ResetData>();
        if (reset.ButtonValueFile is { Length: > 0 } buttonFile)
        {
            services.TryAddSingleton<ILineInput>(new ValueFileLineInput(buttonFile, reset.ActiveLow));
            services.AddHostedService<ResetButtonWatcher>();
        }
    }

    /// <summary>A factory reset requested before the restart is carried out before any module opens the data.</summary>
    public override void Recover(IServiceProvider services) =>
        FactoryReset.CompletePending(
            services.GetRequiredService<DataDirectory>(),
            services.GetRequiredService<VaultOptions>(),
            services.GetRequiredService<ILoggerFactory>().CreateLogger("Iris.Camera.Reset"));

    public override void MapEndpoints(IEndpointRouteBuilder routes) => routes.MapResetEndpoints();
}
