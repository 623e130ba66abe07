using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Iris.Camera.Media;

/// <summary>
/// The one encoder for everyone (<see cref="ILiveMediaFeed"/>): runs <see cref="H264Encoder"/> while at least one
/// consumer follows, on frames from <see cref="FrameHub"/> (so privacy mode and the source's supervision apply
/// unchanged), and fans each piece out without copying. A consumer that joins gets the initialization segment and
/// the fragments since the last keyframe, so its decoder can start at once. Each follower has a bounded queue; a
/// follower whose queue is full loses fragments up to the next keyframe, never part of one and never anyone else's.
/// </summary>
internal sealed partial class LiveMediaFeed(FrameHub hub, IActiveVideoSettings settings, H264Encoder encoder, ILogger<LiveMediaFeed> logger) : ILiveMediaFeed, IAsyncDisposable
{
    /// <summary>About 6 s of one-frame fragments: more than a keyframe interval, so a reader that falls behind skips.</summary>
    private const int FollowerQueue = 90;

    /// <summary>The longest run of fragments kept for joiners; a source without keyframes must not grow memory.</summary>
    private const int MaxCachedFragments = 300;

    private readonly Lock _lock = new();
    private readonly List<Follower> _followers = [];
    private readonly List<MediaFragment> _sinceKeyframe = [];
    private MediaFragment? _init;
    private CancellationTokenSource? _run;
    private Task _running = Task.CompletedTask;

    /// <summary>How many consumers follow now.</summary>
    public int FollowerCount
    {
        get
        {
            lock (_lock)
            {
                return _followers.Count;
            }
        }
    }

    /// <summary>Why the last encoder run ended, if ffmpeg said (for "no signal" reasons).</summary>
    public string? LastFailure => encoder.LastFailure;

    public async IAsyncEnumerable<MediaFragment> FollowAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var follower = new Follower();
        lock (_lock)
        {
            _followers.Add(follower);
            if (_init is not null)
            {
                follower.Offer(_init);
                foreach (var fragment in _sinceKeyframe)
                {
                    follower.Offer(fragment);
                }
            }

            if (_run is null)
            {
                _run = new CancellationTokenSource();
                _running = RunAsync(_run.Token);
            }
        }

        try
        {
            await foreach (var fragment in follower.Queue.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return fragment;
            }
        }
        finally
        {
            lock (_lock)
            {
                if (_followers.Remove(follower) && _followers.Count == 0)
                {
                    StopLocked();
                }
            }
        }
    }

    /// <summary>Ends the current run (new settings, privacy mode): every follower's sequence completes.</summary>
    public void Restart()
    {
        lock (_lock)
        {
            StopLocked();
            EndFollowersLocked();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task running;
        lock (_lock)
        {
            running = _running;
            StopLocked();
        }

        await running.ConfigureAwait(false);
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            if (hub.TrySubscribe(asViewer: false, out var subscription) == SubscribeResult.Subscribed)
            {
                using (subscription)
                {
                    await foreach (var fragment in encoder.RunAsync(settings.Active, subscription!.Frames, cancellationToken).ConfigureAwait(false))
                    {
                        Publish(fragment);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // stopped: nobody follows, or a restart
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogRunFailed(logger, ex);
        }
        finally
        {
            lock (_lock)
            {
                // Only the run still in charge ends the followers; a replaced one has nothing left to end.
                if (_run?.Token == cancellationToken)
                {
                    StopLocked();
                    EndFollowersLocked();
                }
            }
        }
    }

    private void Publish(MediaFragment fragment)
    {
        lock (_lock)
        {
            if (fragment.IsInitialization)
            {
                _init = fragment;
                _sinceKeyframe.Clear();
            }
            else if (fragment.StartsWithKeyframe || _sinceKeyframe.Count >= MaxCachedFragments)
            {
                _sinceKeyframe.Clear();
            }

            if (!fragment.IsInitialization && (fragment.StartsWithKeyframe || _sinceKeyframe.Count > 0))
            {
                _sinceKeyframe.Add(fragment);
            }

            foreach (var follower in _followers)
            {
                follower.Offer(fragment);
            }
        }
    }

    private void StopLocked()
    {
        _run?.Cancel();
        _run?.Dispose();
        _run = null;
        _init = null;
        _sinceKeyframe.Clear();
    }

    private void EndFollowersLocked()
    {
        foreach (var follower in _followers)
        {
            follower.Queue.Writer.TryComplete();
        }

        _followers.Clear();
    }

    /// <summary>One consumer's queue. Fragments before its first keyframe, and after an overflow up to the next one, are dropped.</summary>
    private sealed class Follower
    {
        private bool _waitingForKeyframe = true;

        public Channel<MediaFragment> Queue { get; } = Channel.CreateBounded<MediaFragment>(new BoundedChannelOptions(FollowerQueue)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });

        public void Offer(MediaFragment fragment)
        {
            if (fragment.IsInitialization)
            {
                _waitingForKeyframe = true;
                if (!Queue.Writer.TryWrite(fragment))
                {
                    Queue.Writer.TryComplete(); // cannot even start: end, the consumer reconnects
                }

                return;
            }

            if (_waitingForKeyframe && !fragment.StartsWithKeyframe)
            {
                return;
            }

            _waitingForKeyframe = !Queue.Writer.TryWrite(fragment);
        }
    }

    [LoggerMessage(EventId = 4412, Level = LogLevel.Warning, Message = "Encoder run failed; followers end and reconnect.")]
    private static partial void LogRunFailed(ILogger logger, Exception exception);
}
