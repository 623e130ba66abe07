using Iris.Camera.Platform;
using Iris.Camera.Storage;
using Iris.Camera.Web;

namespace Iris.Camera.Media;

/// <summary>Video sources, live view, privacy mode, motion detection and encrypted recordings.</summary>
internal sealed class MediaModule : CameraModule
{
    public override void AddServices(ModuleServices module)
    {
        var media = module.Settings<MediaOptions>(MediaOptions.SectionName, o => o.Validate());
        module.Services.AddSchema(MediaSchema.Migrations);
        module.Services.AddMedia(media);
        module.Services.AddSingleton<MediaChanges>();
        module.Services.AddSingleton<IStoredData, MediaData>();
        module.Services.AddSingleton<IDeclaresServices, MediaServices>();
    }

    /// <summary>A decrypted export a crash left in RAM goes before anything else opens (see <see cref="Mp4Export"/>).</summary>
    public override void Recover(IServiceProvider services) => Mp4Export.SweepLeftovers(services.GetRequiredService<DataDirectory>().Root);

    public override void Open(IServiceProvider services) => services.InitializeMedia();

    public override void MapEndpoints(IEndpointRouteBuilder routes)
    {
        routes.MapMediaEndpoints();
        routes.MapRecordingEndpoints();
        routes.MapRecordingTimelineEndpoints();
    }
}
