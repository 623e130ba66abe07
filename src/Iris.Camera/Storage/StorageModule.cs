using Iris.Camera.Platform;

namespace Iris.Camera.Storage;

/// <summary>The data directory and the device database, whose schema the modules declare.</summary>
internal sealed class StorageModule : CameraModule
{
    public override void AddServices(ModuleServices module)
    {
        var storage = module.Settings<StorageOptions>(StorageOptions.SectionName);
        module.Services.AddSingleton(_ => DataDirectory.Open(storage.DataDirectory));
        module.Services.AddSingleton(sp => CameraDatabase.Open(sp.GetRequiredService<DataDirectory>().DatabaseFile, sp.GetServices<SchemaMigration>()));
        module.Services.AddSchema(StorageSchema.Migrations);
        module.Services.AddSingleton<IStoredData, StorageData>();
    }
}

internal static class SchemaRegistration
{
    /// <summary>Declares a module's schema steps; the database applies every module's steps in version order.</summary>
    public static IServiceCollection AddSchema(this IServiceCollection services, IEnumerable<SchemaMigration> migrations)
    {
        foreach (var migration in migrations)
        {
            services.AddSingleton(migration);
        }

        return services;
    }
}
