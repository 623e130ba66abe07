using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Iris.Camera.Vault;

namespace Iris.Camera.Media;

/// <summary>Source, resolution and frame rate as an administrator sets them (stored; overrides the configuration).</summary>
public sealed class VideoSettings
{
    [Required, RegularExpression("^(test-pattern|v4l2|stream)$")]
    public string? Source { get; set; }

    [StringLength(32)]
    public string? Device { get; set; }

    [StringLength(2048)]
    public string? StreamUrl { get; set; }

    [Range(160, 3840)]
    public int Width { get; set; }

    [Range(120, 2160)]
    public int Height { get; set; }

    [Range(1, 30)]
    public int FramesPerSecond { get; set; }

    public static VideoSettings From(MediaOptions options) => new()
    {
        Source = options.Source,
        Device = options.Device,
        StreamUrl = options.StreamUrl,
        Width = options.Width,
        Height = options.Height,
        FramesPerSecond = options.FramesPerSecond,
    };
}

/// <summary>
/// Applies stored video settings onto the shared <see cref="MediaOptions"/> and restarts capture. Settings are
/// checked with the same rules as the configuration before anything changes. They are kept sealed in the vault
/// (a stream URL may hold the camera's credentials) and shown with any credentials masked.
/// </summary>
internal sealed class VideoSettingsStore(SecretVault vault, MediaOptions options, FrameHub hub)
{
    public const string VaultItem = "video-settings";

    public VideoSettings Current
    {
        get
        {
            var current = VideoSettings.From(options);
            current.StreamUrl = MaskCredentials(current.StreamUrl);
            return current;
        }
    }

    public void ApplyStored()
    {
        var read = vault.Unseal(VaultItem);
        if (read.Status == VaultReadStatus.Ok && JsonSerializer.Deserialize<VideoSettings>(read.Secret, JsonSerializerOptions.Web) is { } stored
            && Check(stored).Count == 0)
        {
            Apply(stored);
        }
    }

    public static string? MaskCredentials(string? url) =>
        url is not null && Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0
            ? url.Replace(uri.UserInfo + "@", "***@", StringComparison.Ordinal)
            : url;

    /// <summary>Every reason the settings cannot be used; empty when they can.</summary>
    public IReadOnlyList<string> Check(VideoSettings settings)
    {
        var candidate = Copy(options);
        if (settings.StreamUrl is not null && settings.StreamUrl == MaskCredentials(options.StreamUrl))
        {
            settings = new VideoSettings
            {
                Source = settings.Source, Device = settings.Device, StreamUrl = options.StreamUrl,
                Width = settings.Width, Height = settings.Height, FramesPerSecond = settings.FramesPerSecond,
            };
        }

        Overlay(candidate, settings);
        return candidate.Validate();
    }

    public void Save(VideoSettings settings)
    {
        // The form shows the URL masked; sent back unchanged, it means "keep the stored one".
        if (settings.StreamUrl is not null && settings.StreamUrl == MaskCredentials(options.StreamUrl) && settings.StreamUrl != options.StreamUrl)
        {
            settings.StreamUrl = options.StreamUrl;
        }

        vault.Seal(VaultItem, JsonSerializer.SerializeToUtf8Bytes(settings, JsonSerializerOptions.Web));
        Apply(settings);
        hub.RestartCapture();
    }

    private void Apply(VideoSettings settings) => Overlay(options, settings);

    private static void Overlay(MediaOptions target, VideoSettings settings)
    {
        target.Source = settings.Source ?? target.Source;
        target.Device = settings.Device ?? target.Device;
        target.StreamUrl = settings.StreamUrl ?? target.StreamUrl;
        target.Width = settings.Width;
        target.Height = settings.Height;
        target.FramesPerSecond = settings.FramesPerSecond;
    }

    private static MediaOptions Copy(MediaOptions source) => new()
    {
        Source = source.Source,
        Device = source.Device,
        StreamUrl = source.StreamUrl,
        Width = source.Width,
        Height = source.Height,
        FramesPerSecond = source.FramesPerSecond,
        JpegQuality = source.JpegQuality,
        MaxViewers = source.MaxViewers,
        ViewerBufferFrames = source.ViewerBufferFrames,
        SessionRecheckInterval = source.SessionRecheckInterval,
        SegmentLength = source.SegmentLength,
        RecordingRetention = source.RecordingRetention,
        RecordingQuotaBytes = source.RecordingQuotaBytes,
        MinimumFreeBytes = source.MinimumFreeBytes,
        MotionRecordingTail = source.MotionRecordingTail,
        TestPatternMoves = source.TestPatternMoves,
    };
}

/// <summary>Delegates to the test pattern or ffmpeg, whichever the current settings name, at each capture start.</summary>
internal sealed class SwitchingFrameSource(MediaOptions options, TestPatternSource testPattern, FfmpegSource ffmpeg) : IFrameSource
{
    public string Name => options.Source;

    public IAsyncEnumerable<VideoFrame> CaptureAsync(CancellationToken cancellationToken) =>
        options.Source == MediaOptions.TestPatternSource ? testPattern.CaptureAsync(cancellationToken) : ffmpeg.CaptureAsync(cancellationToken);
}
