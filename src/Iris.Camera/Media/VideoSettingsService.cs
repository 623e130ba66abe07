using System.Globalization;
using Iris.Camera.Events;

namespace Iris.Camera.Media;

/// <summary>
/// Changing the video source: the new settings are checked, sealed and applied, capture restarts, and the answer
/// says whether the new source delivers a picture within <see cref="MediaOptions.SignalTimeout"/> ("no signal:
/// REASON" otherwise), rather than "saved" and a blank picture. With a picture, it also waits for the H.264
/// encoder's first output (the live view, RTSPS and recordings depend on it) and says when it did not start.
/// </summary>
internal sealed class VideoSettingsService(VideoSettingsStore store, FrameHub hub, LiveMediaFeed live, MotionDetector motion, SecurityEventLog events, MediaOptions options, TimeProvider time, StreamSoundStatus sound)
{
    public const string EncoderOk = "ok";

    public VideoSettingsView Current => store.Show(hub.Signal.State) with { Sound = sound.For(store.Active) };

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
        var signal = await hub.CheckSignalAsync(options.SignalTimeout, cancellationToken);
        var encoder = signal == VideoSignal.Ok ? await CheckEncoderAsync(cancellationToken) : null;
        return store.Show(signal) with { Encoder = encoder, Sound = sound.For(active) };
    }

    /// <summary>Follows the encoder (starting it when nobody does) until its first output, an end, or <see cref="MediaOptions.SignalTimeout"/>.</summary>
    private async Task<string> CheckEncoderAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var first = FirstOutputAsync(stop.Token);
        try
        {
            return await first.WaitAsync(options.SignalTimeout, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            return string.Create(CultureInfo.InvariantCulture, $"the H.264 encoder gave no output within {options.SignalTimeout.TotalSeconds:0} s");
        }
        finally
        {
            await stop.CancelAsync();
        }
    }

    private async Task<string> FirstOutputAsync(CancellationToken cancellationToken)
    {
        await foreach (var _ in live.FollowAsync(cancellationToken))
        {
            return EncoderOk;
        }

        return "the H.264 encoder did not start" + (live.LastFailure is { } why ? $" ({why})" : "");
    }
}
