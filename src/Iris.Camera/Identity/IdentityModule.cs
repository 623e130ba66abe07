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
        services.AddSingleton(sp => new FactoryPackage(sp.GetRequiredService<DataDirectory>().Root, sp.GetRequiredService<SecretVault>(), device.VendorRootCertificateFile));
        services.AddSingleton(sp => sp.GetRequiredService<IdentityStore>().LoadOrProvision(device.Model, device.Vendor, sp.GetRequiredService<FactoryPackage>()));
        services.AddSingleton<IStoredData, IdentityData>();
    }

    /// <summary>In provisioning mode the daemon only makes its key and signing request, and stops (exit 0).</summary>
    public override void Recover(IServiceProvider services)
    {
        if (services.GetRequiredService<DeviceOptions>().Provisioning != DeviceOptions.RequestMode)
        {
            return;
        }

        if (File.Exists(Path.Combine(services.GetRequiredService<DataDirectory>().IdentityDirectory, IdentityStore.DescriptorFile)))
        {
            throw new StartupException("This device already has an identity; it makes no signing request.", StartupException.UsageError);
        }

        var path = services.GetRequiredService<FactoryPackage>().WriteSigningRequest();
        throw new StartupException($"Signing request written to {path}; the station answers it with a provisioning package.", 0);
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
