using Iris.Camera.Platform;
using Iris.Camera.Storage;
using Iris.Camera.Web;
using Iris.Firmware.Agent;
using Iris.Firmware.Metadata;
using Iris.Firmware.Repository;

namespace Iris.Camera.Updates;

/// <summary>The update feature's services: each made once (slot record, transport, repository client) and injected.</summary>
internal static class UpdatesRegistration
{
    public static IServiceCollection AddUpdates(this IServiceCollection services, UpdateOptions options)
    {
        services.AddSingleton<BootSlots>();
        services.AddSingleton<UpdateKeyStore>();
        services.AddSingleton<ITrustedMetadataStore>(sp => new DirectoryMetadataStore(Path.Combine(sp.GetRequiredService<DataDirectory>().UpdatesDirectory, "trusted")));
        if (options.IsConfigured)
        {
            services.AddSingleton(sp => new HttpsUpdateTransport(
                new Uri(options.RepositoryUrl!), ClientTls.LoadTrust(options.CaCertificateFile!), sp.GetRequiredService<TimeProvider>(), options.SlowRetrieval));
            services.AddSingleton<IRepositoryTransport>(sp => sp.GetRequiredService<HttpsUpdateTransport>());
            services.AddSingleton<IBundleDownloader>(sp => sp.GetRequiredService<HttpsUpdateTransport>());
        }
        else
        {
            services.AddSingleton<UnconfiguredRepository>();
            services.AddSingleton<IRepositoryTransport>(sp => sp.GetRequiredService<UnconfiguredRepository>());
            services.AddSingleton<IBundleDownloader>(sp => sp.GetRequiredService<UnconfiguredRepository>());
        }

        services.AddSingleton(sp => new RepositoryClient(
            sp.GetRequiredService<IRepositoryTransport>(), sp.GetRequiredService<ITrustedMetadataStore>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<UpdateEvents>();
        services.AddSingleton<UpdateStatusStore>();
        services.AddSingleton<IAvailableUpdate>(sp => sp.GetRequiredService<UpdateStatusStore>());
        services.AddSingleton<UpdateRollbacks>();
        services.AddSingleton<UpdateChecker>();
        services.AddSingleton<UpdateInstaller>();
        services.AddSingleton<UpdateScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<UpdateScheduler>());
        services.AddHostedService<BootHealth>();
        return services;
    }

    /// <summary>Before the daemon listens: the update key, the shipped root, leftover downloads, and a rollback to note.</summary>
    public static void InitialiseUpdates(this IServiceProvider services)
    {
        services.GetRequiredService<UpdateKeyStore>().EnsureKey();
        services.GetRequiredService<UpdateChecker>().InstallShippedRoot();
        services.GetRequiredService<UpdateInstaller>().RemoveStaleDownloads();
        services.GetRequiredService<UpdateRollbacks>().NoteAtStart();
    }
}
