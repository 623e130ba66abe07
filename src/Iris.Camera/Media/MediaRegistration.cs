using Iris.Camera.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Iris.Camera.Media;

/// <summary>The Media module's services: frame sources, the hub, settings, motion, recordings, and <see cref="IMediaStatus"/> for others.</summary>
internal static class MediaRegistration
{
    public static IServiceCollection AddMedia(this IServiceCollection services, MediaOptions options)
    {
        services.AddSingleton<VideoSettingsStore>();
        services.AddSingleton<IActiveVideoSettings>(sp => sp.GetRequiredService<VideoSettingsStore>());
        services.AddSingleton(sp => new TestPatternSource(
            sp.GetRequiredService<IActiveVideoSettings>(), options, sp.GetRequiredService<DeviceIdentity>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<StreamSoundStatus>();
        services.AddSingleton<FfmpegSource>();
        services.TryAddSingleton<IFrameSource, SwitchingFrameSource>();
        services.AddSingleton<FrameHub>();
        services.AddSingleton<LiveViewAdmission>();
        services.AddSingleton<LiveViewerWrites>();
        services.AddSingleton<H264Encoder>();
        services.AddSingleton<LiveMediaFeed>();
        // Try: a feed registered before the modules (a board's own encoder, a test's) is the one everyone follows.
        services.TryAddSingleton<ILiveMediaFeed>(sp => sp.GetRequiredService<LiveMediaFeed>());
        services.AddSingleton<PrivacyMode>();
        services.AddSingleton<MotionThumbnails>();
        services.AddSingleton<MotionDetector>();
        services.AddHostedService(sp => sp.GetRequiredService<MotionDetector>());
        services.AddSingleton<VideoSettingsService>();
        services.AddSingleton<RecordingIndex>();
        services.AddSingleton<SegmentFiles>();
        services.AddSingleton<RecordingsKey>();
        services.AddSingleton<RecordingRetention>();
        services.AddSingleton<RecordingRecovery>();
        services.AddSingleton<RecordingStore>();
        services.AddSingleton<Recorder>();
        services.AddSingleton<RecordingOverview>();
        services.AddSingleton<RecordingTimeline>();
        services.AddSingleton<MediaWorkLimit>();
        services.AddHostedService(sp => sp.GetRequiredService<Recorder>());
        services.AddSingleton<IMediaStatus, MediaStatus>();
        return services;
    }

    /// <summary>
    /// Before the daemon serves: stored video settings and privacy mode apply, the recordings key is replaced if the
    /// storage key moved to another provider, interrupted recordings are recovered.
    /// </summary>
    public static void InitializeMedia(this IServiceProvider services)
    {
        var vault = services.GetRequiredService<Vault.SecretVault>();
        if (vault.RotationRequested)
        {
            services.GetRequiredService<RecordingsKey>().Rotate();
            vault.RotationDone();
        }

        services.GetRequiredService<VideoSettingsStore>().ApplyStored();
        services.GetRequiredService<PrivacyMode>().ApplyStored();
        services.GetRequiredService<RecordingStore>().RecoverInterrupted();
    }
}
