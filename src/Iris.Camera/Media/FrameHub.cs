using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Iris.Camera.Media;

public enum SubscribeResult
{
    Subscribed,
    PrivacyMode,
    TooManyViewers,
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
/// every subscriber without copying or blocking. A failing source is restarted with growing back-off.
/// </summary>
public sealed partial class FrameHub(IFrameSource source, MediaOptions options, TimeProvider time, ILogger<FrameHub> logger) : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly List<FrameSubscription> _subscribers = [];
    private CancellationTokenSource? _capture;
    private Task _captureTask = Task.CompletedTask;
    private bool _privacy;

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

            if (asViewer && _subscribers.Count(s => s.IsViewer) >= options.MaxViewers)
            {
                return SubscribeResult.TooManyViewers;
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
                _capture = new CancellationTokenSource();
                _captureTask = CaptureLoopAsync(_capture.Token);
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
            if (_capture is null)
            {
                return;
            }

            StopCaptureLocked();
            _capture = new CancellationTokenSource();
            _captureTask = CaptureLoopAsync(_capture.Token);
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

    private void StopCaptureLocked()
    {
        _capture?.Cancel();
        _capture?.Dispose();
        _capture = null;
    }

    private async Task CaptureLoopAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        var backOff = TimeSpan.FromSeconds(1);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var frame in source.CaptureAsync(cancellationToken).ConfigureAwait(false))
                {
                    backOff = TimeSpan.FromSeconds(1);
                    FrameSubscription[] targets;
                    lock (_lock)
                    {
                        targets = [.. _subscribers];
                    }

                    foreach (var target in targets)
                    {
                        target.Offer(frame);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogSourceFailed(logger, source.Name, backOff.TotalSeconds, ex);
            }

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
}
