using Iris.Camera.Platform;
using Iris.Camera.Storage;

namespace Iris.Camera.Events;

/// <summary>The hash-chained security event log, its retention, and the alert inbox and channels.</summary>
internal sealed class EventsModule : CameraModule
{
    public override void AddServices(ModuleServices module)
    {
        module.Settings<SecurityLogOptions>(SecurityLogOptions.SectionName);
        var services = module.Services;
        services.AddSchema(EventsSchema.Migrations);
        services.AddSingleton<EventFields>();
        services.AddSingleton<SecurityLogHead>();
        services.AddSingleton<SecurityEventLog>();
        services.AddSingleton<AlertCenter>();
        services.AddSingleton<SecurityLogRetention>();
        services.AddHostedService(sp => sp.GetRequiredService<SecurityLogRetention>());
        services.AddSingleton<IStoredData, EventsData>();
        services.AddSingleton<IFieldKeyHolder, EventKeyHolder>();
    }

    public override void Open(IServiceProvider services)
    {
        var log = services.GetRequiredService<SecurityEventLog>();
        // Before the chain is read: its fields open only under their months' keys.
        log.MoveToMonthKeys();
        log.DestroyEmptyMonthKeys();
        log.EnsureSignedHead();
        if (log.SealLegacyRows() > 0)
        {
            // The plaintext page images of the rows just sealed must not stay in the WAL.
            services.GetRequiredService<CameraDatabase>().Compact();
        }
    }

    public override void MapEndpoints(IEndpointRouteBuilder routes) => routes.MapSecurityEndpoints();
}
