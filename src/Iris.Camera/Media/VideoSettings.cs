using System.ComponentModel.DataAnnotations;

namespace Iris.Camera.Media;

/// <summary>Source, resolution and frame rate as an administrator sends them (PUT /api/media/video).</summary>
public sealed class VideoSettings
{
    [Required, RegularExpression("^(test-pattern|v4l2|stream)$")]
    public string? Source { get; set; }

    /// <summary>The V4L2 device; left out (null) keeps the current one.</summary>
    [StringLength(32, MinimumLength = 1)]
    public string? Device { get; set; }

    /// <summary>The https:// stream; left out (null) keeps the current one, its masked form too.</summary>
    [StringLength(2048, MinimumLength = 1)]
    public string? StreamUrl { get; set; }

    [Range(160, 3840)]
    public int Width { get; set; }

    [Range(120, 2160)]
    public int Height { get; set; }

    [Range(1, 30)]
    public int FramesPerSecond { get; set; }

    /// <summary>Whether the camera's sound is encoded with the picture; left out (null) keeps the current choice.</summary>
    public bool? Microphone { get; set; }
}

/// <summary>
/// The video settings as shown (GET and PUT /api/media/video): credentials in the stream URL masked, and whether
/// the source delivers a picture ("ok", "no signal: REASON", or "not checked yet").
/// </summary>
/// <param name="Encoder">In the answer to a save: "ok" once the H.264 encoder gave its first output, otherwise why not; null when not checked.</param>
/// <param name="Sound">For a network-stream source with the microphone on: "ok" when its sound is used, or that it carries none; otherwise null.</param>
public sealed record VideoSettingsView(string Source, string Device, string StreamUrl, int Width, int Height, int FramesPerSecond, string Signal, bool Microphone, string? Encoder = null, string? Sound = null);

/// <summary>
/// The video settings in force: the configuration, overlaid by what an administrator saved. The microphone is off
/// unless an administrator turned it on (it is not a configuration value: nobody is recorded by default).
/// </summary>
public sealed record ActiveVideo(string Source, string Device, string StreamUrl, int Width, int Height, int FramesPerSecond, bool Microphone = false)
{
    public static ActiveVideo From(MediaOptions options) =>
        new(options.Source, options.Device, options.StreamUrl, options.Width, options.Height, options.FramesPerSecond);

    /// <summary>These settings with the values an administrator sent; a left-out device, URL or microphone choice keeps the current one.</summary>
    public ActiveVideo With(VideoSettings settings) =>
        new(settings.Source ?? Source, settings.Device ?? Device, settings.StreamUrl ?? StreamUrl, settings.Width, settings.Height, settings.FramesPerSecond,
            settings.Microphone ?? Microphone);
}

/// <summary>Where frame sources read the video settings in force (they change at run time; the options do not).</summary>
public interface IActiveVideoSettings
{
    ActiveVideo Active { get; }
}

/// <summary>Settings that never change: for a source used on its own (benchmarks, tests).</summary>
public sealed class FixedVideoSettings(ActiveVideo active) : IActiveVideoSettings
{
    public ActiveVideo Active { get; } = active;
}
