using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Iris.Camera.Media;

public enum SubscribeResult
{
    Subscribed,
    PrivacyMode,
}

/// <summary>One consumer's view of the frames: a small drop-oldest buffer, so a slow consumer only loses its own frames.</summary>
public sealed class FrameSubscription(FrameHub hub, Channel<VideoFrame> channel, bool isViewer) : IDisposable
{
    public ChannelReader<VideoFrame> Frames => channel.Reader;

    internal bool IsViewer { get; } = isViewer;

    internal bool Offer(VideoFrame frame) => channel.Writer.TryWrite(frame);

    internal void Complete() => channel.Writer.TryComplete();

    public void Dispose() => hub.Unsubscribe(this);
}

/// <summary>
/// Runs the frame source only while someone consumes frames and privacy mode is off, and fans each frame out to
/// every subscriber without copying or blocking. A failing source is restarted with growing back-off, and
/// <see cref="Signal"/> says whether it delivers. How many live viewers may watch is <see cref="LiveViewAdmission"/>'s call.
/// </summary>
public sealed partial class FrameHub(IFrameSource source, MediaOptions options, TimeProvider time, ILogger<FrameHub> logger) : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly List<FrameSubscription> _subscribers = [];
    private CancellationTokenSource? _capture;
    private Task _captureTask = Task.CompletedTask;
    private bool _privacy;
    private int _generation;
    private bool _settingsChanged;

    /// <summary>Whether the current source delivers frames (shown with the video settings).</summary>
    public VideoSignal Signal { get; } = new();

    public int ViewerCount
    {
        get
        {
            lock (_lock)
            {
                return _subscribers.Count(s => s.IsViewer);
            }
        }
    }

    /// <summary>Whether privacy mode is on (nothing may be captured).</summary>
    public bool PrivacyEnabled
    {
        get
        {
            lock (_lock)
            {
                return _privacy;
            }
        }
    }

    public bool IsCapturing
    {
        get
        {
            lock (_lock)
            {
                return _capture is not null;
            }
        }
    }

    public SubscribeResult TrySubscribe(bool asViewer, out FrameSubscription? subscription)
    {
        subscription = null;
        lock (_lock)
        {
            if (_privacy)
            {
                return SubscribeResult.PrivacyMode;
            }

            var channel = Channel.CreateBounded<VideoFrame>(new BoundedChannelOptions(options.ViewerBufferFrames)
            {
                FullMode = BoundedChannelFullMode.DropOldest,
                SingleReader = true,
                SingleWriter = true,
            });
            subscription = new FrameSubscription(this, channel, asViewer);
            _subscribers.Add(subscription);
            if (_capture is null)
            {
                StartCaptureLocked();
            }

            return SubscribeResult.Subscribed;
        }
    }

    /// <summary>Privacy mode on: capture stops and every open stream ends. Off: capture resumes on demand.</summary>
    public void SetPrivacy(bool enabled)
    {
        List<FrameSubscription> ended;
        lock (_lock)
        {
            _privacy = enabled;
            if (!enabled)
            {
                return;
            }

            ended = [.. _subscribers];
            _subscribers.Clear();
            StopCaptureLocked();
        }

        foreach (var subscription in ended)
        {
            subscription.Complete();
        }
    }

    /// <summary>Restarts the source (new settings) without ending anyone's stream.</summary>
    public void RestartCapture()
    {
        lock (_lock)
        {
            _settingsChanged = true;
            if (_capture is null)
            {
                Signal.SettingsChanged();
                return;
            }

            StopCaptureLocked();
            StartCaptureLocked();
        }
    }

    /// <summary>
    /// Waits until the source delivers a frame, reports a failure, or <paramref name="timeout"/> passes (which is
    /// then reported as "no signal"), and returns <see cref="VideoSignal.State"/>. Capture runs meanwhile.
    /// </summary>
    public async Task<string> CheckSignalAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (TrySubscribe(asViewer: false, out var subscription) == SubscribeResult.PrivacyMode)
        {
            return "not checked: privacy mode is on";
        }

        using (subscription)
        {
            int generation;
            lock (_lock)
            {
                generation = _generation;
            }

            var frame = subscription!.Frames.WaitToReadAsync(cancellationToken).AsTask();
            try
            {
                await Task.WhenAny(frame, Signal.LostAsync(generation)).WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                Signal.Lost(generation, string.Create(CultureInfo.InvariantCulture, $"no picture within {timeout.TotalSeconds:0} s"));
            }

            return Signal.State;
        }
    }

    internal void Unsubscribe(FrameSubscription subscription)
    {
        lock (_lock)
        {
            if (_subscribers.Remove(subscription) && _subscribers.Count == 0)
            {
                StopCaptureLocked();
            }
        }

        subscription.Complete();
    }

    public async ValueTask DisposeAsync()
    {
        Task running;
        lock (_lock)
        {
            running = _captureTask;
            StopCaptureLocked();
        }

        await running.ConfigureAwait(false);
    }

    private void StartCaptureLocked()
    {
        _generation++;
        Signal.Started(_generation, _settingsChanged);
        _settingsChanged = false;
        _capture = new CancellationTokenSource();
        _captureTask = CaptureLoopAsync(_generation, _capture.Token);
    }

    private void StopCaptureLocked()
    {
        _capture?.Cancel();
        _capture?.Dispose();
        _capture = null;
    }

    private async Task CaptureLoopAsync(int generation, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var backOff = TimeSpan.FromSeconds(1);
        while (!cancellationToken.IsCancellationRequested)
        {
            string reason;
            try
            {
                await foreach (var frame in source.CaptureAsync(cancellationToken).ConfigureAwait(false))
                {
                    backOff = TimeSpan.FromSeconds(1);
                    FrameSubscription[] targets;
                    lock (_lock)
                    {
                        if (generation != _generation)
                        {
                            return; // replaced by a run with new settings: not one more frame of the old source
                        }

                        targets = [.. _subscribers];
                    }

                    Signal.Frame(generation);
                    foreach (var target in targets)
                    {
                        target.Offer(frame);
                    }
                }

                reason = "the source ended";
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (FrameSourceException ex)
            {
                reason = ex.Reason;
                LogSourceLost(logger, source.Name, ex.Reason, backOff.TotalSeconds);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                reason = "the source failed";
                LogSourceFailed(logger, source.Name, backOff.TotalSeconds, ex);
            }

            Signal.Lost(generation, reason);
            try
            {
                await Task.Delay(backOff, time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            backOff = TimeSpan.FromTicks(Math.Min(backOff.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
        }
    }

    [LoggerMessage(EventId = 4100, Level = LogLevel.Error, Message = "Frame source {Source} failed; restarting in {Seconds} s.")]
    private static partial void LogSourceFailed(ILogger logger, string source, double seconds, Exception exception);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "Frame source {Source}: no signal ({Reason}); restarting in {Seconds} s.")]
    private static partial void LogSourceLost(ILogger logger, string source, string reason, double seconds);
}
