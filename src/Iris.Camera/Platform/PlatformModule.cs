using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Iris.Camera.Platform;

/// <summary>The seams every module uses: the clock, and what the running software is (version, slot, support end).</summary>
internal sealed class PlatformModule : CameraModule
{
    public override void AddServices(ModuleServices module)
    {
        var boot = module.Settings<BootOptions>(BootOptions.SectionName, _ => []);
        module.Services.TryAddSingleton(TimeProvider.System);
        module.Services.TryAddSingleton<IRestartRequester, LauncherRestart>();
        module.Services.AddSingleton(new SoftwareInfo(boot));
        module.Services.AddHostedService<MemoryRelease>();
    }
}
