using Iris.Camera.Platform;
using Iris.Camera.Storage;
using Iris.Camera.Vault;

namespace Iris.Camera.Identity;

/// <summary>The device identity (serial, key, certificate) and the boot log entry that names it.</summary>
internal sealed class IdentityModule : CameraModule
{
    public override void AddServices(ModuleServices module)
    {
        var device = module.Settings<DeviceOptions>(DeviceOptions.SectionName);
        var services = module.Services;
        services.AddSingleton(sp => new IdentityStore(
            sp.GetRequiredService<DataDirectory>().IdentityDirectory,
            sp.GetRequiredService<SecretVault>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Iris.Camera.Identity")));
        services.AddSingleton(sp => sp.GetRequiredService<IdentityStore>().LoadOrCreateDevelopment(device.Model, device.Vendor));
        services.AddSingleton<IStoredData, IdentityData>();
    }

    public override void Open(IServiceProvider services)
    {
        var identity = services.GetRequiredService<DeviceIdentity>();
        services.GetRequiredService<CameraDatabase>().RecordBoot(
            services.GetRequiredService<TimeProvider>().GetUtcNow(),
            services.GetRequiredService<SoftwareInfo>().Version,
            identity.Origin.ToString().ToLowerInvariant());
    }
}
