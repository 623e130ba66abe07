using Iris.Camera.Platform;
using Iris.Camera.Storage;

namespace Iris.Camera.Vault;

/// <summary>The storage key provider (file or PKCS#11 token) and the secret vault sealed under it.</summary>
internal sealed class VaultModule : CameraModule
{
    public override void AddServices(ModuleServices module)
    {
        var options = module.Settings<VaultOptions>(VaultOptions.SectionName);
        var services = module.Services;
        services.AddSingleton(sp => StorageKeys.Open(options, sp.GetRequiredService<DataDirectory>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger("Iris.Camera.Vault")));
        services.AddSingleton<IStorageKeyProvider>(sp => new NonOwningProvider(sp.GetRequiredService<OpenedVault>().Provider));
        services.AddSingleton(sp => sp.GetRequiredService<OpenedVault>().Vault);
        services.AddSingleton<VaultDataKeys>();
        services.AddSingleton<IDataKeys>(sp => sp.GetRequiredService<VaultDataKeys>());
        services.AddSingleton<IStoredData, VaultData>();
        services.AddSingleton<DataKeyRotation>();
    }

    /// <summary>After a move to a token, every database field key is replaced and its rows re-sealed before anything reads them.</summary>
    public override void Open(IServiceProvider services)
    {
        var vault = services.GetRequiredService<SecretVault>();
        DataJournalCheck.WarnIfJournalled(services.GetRequiredService<DataDirectory>().Root, vault.ProviderId != FileStorageKeyProvider.ProviderId,
            services.GetRequiredService<ILoggerFactory>().CreateLogger("Iris.Camera.Vault"));
        services.GetRequiredService<DataKeyRotation>().Run();
    }
}
