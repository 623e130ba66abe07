using System.Globalization;
using Iris.Camera.Events;

namespace Iris.Camera.Media;

/// <summary>
/// Changing the video source: the new settings are checked, sealed and applied, capture restarts, and the answer
/// says whether the new source delivers a picture within <see cref="MediaOptions.SignalTimeout"/> ("no signal:
/// REASON" otherwise), rather than "saved" and a blank picture.
/// </summary>
internal sealed class VideoSettingsService(VideoSettingsStore store, FrameHub hub, LiveMediaFeed live, MotionDetector motion, SecurityEventLog events, MediaOptions options)
{
    public VideoSettingsView Current => store.Show(hub.Signal.State);

    /// <summary>Every reason the settings cannot be used, by field; empty when they can.</summary>
    public Dictionary<string, string[]> Check(VideoSettings settings) => store.Check(settings);

    public async Task<VideoSettingsView> SaveAsync(VideoSettings settings, string actor, string? source, CancellationToken cancellationToken)
    {
        store.Save(settings);
        hub.RestartCapture();
        live.Restart();
        motion.Reconfigure();
        var active = store.Active;
        events.Append(SecurityEventKinds.SettingsChanged, source, actor,
            string.Create(CultureInfo.InvariantCulture, $"video source {active.Source}, {active.Width}x{active.Height} at {active.FramesPerSecond} fps, microphone {(active.Microphone ? "on" : "off")}"));
        return store.Show(await hub.CheckSignalAsync(options.SignalTimeout, cancellationToken));
    }
}
