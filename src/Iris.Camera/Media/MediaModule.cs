using Iris.Camera.Platform;
using Iris.Camera.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Iris.Camera.Media;

/// <summary>Video sources, live view, privacy mode, motion detection and encrypted recordings.</summary>
internal sealed class MediaModule : CameraModule
{
    public override void AddServices(ModuleServices module)
    {
        var media = module.Settings<MediaOptions>(MediaOptions.SectionName, o => o.Validate());
        var services = module.Services;
        services.AddSchema(MediaSchema.Migrations);
        services.AddSingleton<TestPatternSource>();
        services.AddSingleton<FfmpegSource>();
        services.TryAddSingleton<IFrameSource, SwitchingFrameSource>();
        services.AddSingleton<VideoSettingsStore>();
        services.AddSingleton<FrameHub>();
        services.AddSingleton<PrivacyMode>();
        services.AddSingleton<MotionDetector>();
        services.AddHostedService(sp => sp.GetRequiredService<MotionDetector>());
        services.AddSingleton<RecordingStore>();
        services.AddSingleton<Recorder>();
        services.AddHostedService(sp => sp.GetRequiredService<Recorder>());
        services.AddSingleton<IStoredData, MediaData>();
    }

    public override void Open(IServiceProvider services)
    {
        services.GetRequiredService<VideoSettingsStore>().ApplyStored();
        services.GetRequiredService<PrivacyMode>().ApplyStored();
        services.GetRequiredService<RecordingStore>().RecoverInterrupted();
    }

    public override void MapEndpoints(IEndpointRouteBuilder routes)
    {
        routes.MapMediaEndpoints();
        routes.MapRecordingEndpoints();
    }
}
