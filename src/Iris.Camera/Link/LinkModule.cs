using Microsoft.Extensions.DependencyInjection.Extensions;
using Iris.Camera.Events;
using Iris.Camera.Platform;
using Iris.Camera.Storage;
using Iris.Camera.Web;

namespace Iris.Camera.Link;

/// <summary>The platform link: the alert outbox, MQTT 5 and webhook delivery, and their status page.</summary>
internal sealed class LinkModule : CameraModule
{
    public override void AddServices(ModuleServices module)
    {
        module.Settings<CloudOptions>(CloudOptions.SectionName, o => o.Validate());
        var services = module.Services;
        services.AddSchema(LinkSchema.Migrations);
        services.AddSingleton<LinkFields>();
        services.AddSingleton<IFieldKeyHolder, LinkKeyHolder>();
        services.AddSingleton<AlertOutbox>();
        services.AddSingleton<IAlertChannel, OutboxChannel>();
        services.AddSingleton<LinkStatus>();
        services.AddSingleton<ClockFloor>();
        services.AddHostedService<ClockFloorKeeper>();
        services.TryAddSingleton<IJitter, SystemJitter>();
        services.AddSingleton(sp => new MqttConnection(sp.GetRequiredService<CloudOptions>(), sp.GetRequiredService<Identity.DeviceIdentity>(), sp.GetRequiredService<ClockFloor>()));
        services.AddSingleton<WebhookSecret>();
        services.AddSingleton<LinkRestart>();
        services.AddSingleton<LinkSettings>();
        services.AddSingleton<LinkService>();
        services.AddSingleton<PairedKeys>();
        services.AddSingleton<RemoteView>();
        services.AddSingleton<RemoteSnapshot>();
        services.AddSingleton<RefusalLog>();
        services.AddSingleton<RemoteCommands>();
        services.AddSingleton<HomeAssistantDiscovery>();
        services.AddSingleton<HomeAssistantCommands>();
        services.AddHostedService<MqttLink>();
        services.AddHostedService<WebhookSender>();
        services.AddSingleton<IDeclaresServices, LinkServices>();
        services.AddSingleton<LinkData>();
        services.AddSingleton<IStoredData>(sp => sp.GetRequiredService<LinkData>());
        services.AddSingleton<Accounts.IAccountDataHolder>(sp => sp.GetRequiredService<LinkData>());
    }

    /// <summary>
    /// The settings saved on the link page apply before any sender starts; entries and keys stored before schema 10
    /// are sealed before anything reads or sends them.
    /// </summary>
    public override void Open(IServiceProvider services)
    {
        services.GetRequiredService<LinkSettings>().ApplyStored();
        services.GetRequiredService<AlertOutbox>().SealLegacyRows();
        services.GetRequiredService<PairedKeys>().SealLegacyRows();
    }

    public override void MapEndpoints(IEndpointRouteBuilder routes) => routes.MapLinkEndpoints();
}
