using System.Runtime.CompilerServices;
using Iris.Firmware.Metadata;

namespace Iris.Camera.Updates;

/// <summary>How long a transfer may go without data, and how slow it may run (see <see cref="SlowRetrievalGuard"/>).</summary>
public sealed record SlowRetrievalLimits(TimeSpan ReadTimeout, long MinimumBytesPerSecond)
{
    public static readonly SlowRetrievalLimits Default = new UpdateOptions().SlowRetrieval;
}

/// <summary>
/// The slow-retrieval defence for one transfer (TUF's name for a repository, or someone in between, that sends
/// data so slowly, or stops sending while keeping the connection open, that the device never finishes and never
/// looks for fixes). Every wait for the server is armed with the read timeout, and every minute of transfer
/// must bring the minimum rate on average. Time comes from the <see cref="TimeProvider"/>, so tests move it.
/// </summary>
internal sealed class SlowRetrievalGuard : IDisposable
{
    public static readonly TimeSpan RateWindow = TimeSpan.FromMinutes(1);

    private readonly SlowRetrievalLimits _limits;
    private readonly TimeProvider _time;
    private readonly CancellationToken _caller;
    private readonly CancellationTokenSource _deadline;
    private readonly CancellationTokenSource _linked;
    private long _windowStart;
    private long _windowBytes;

    public SlowRetrievalGuard(SlowRetrievalLimits limits, TimeProvider time, CancellationToken caller)
    {
        (_limits, _time, _caller) = (limits, time, caller);
        _deadline = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(caller, _deadline.Token);
        _windowStart = time.GetTimestamp();
    }

    /// <summary>Cancelled by the caller, or when the server keeps the transfer waiting longer than the read timeout.</summary>
    public CancellationToken Token => _linked.Token;

    /// <summary>True when a wait was cut off by the read timeout (not by the caller).</summary>
    public bool Stalled => _deadline.IsCancellationRequested && !_caller.IsCancellationRequested;

    /// <summary>Waits for one step (the response headers) with the read timeout armed.</summary>
    public async Task<T> WaitAsync<T>(Func<CancellationToken, Task<T>> step)
    {
        _deadline.CancelAfter(_limits.ReadTimeout);
        var result = await step(Token);
        _deadline.CancelAfter(Timeout.InfiniteTimeSpan);
        return result;
    }

    /// <summary>Reads with the read timeout armed; the clock stops while the caller writes what it got.</summary>
    /// <remarks>Pooled: a bundle download calls this once per TLS record, and an unpooled await allocates each time.</remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> ReadAsync(Stream body, Memory<byte> buffer)
    {
        _deadline.CancelAfter(_limits.ReadTimeout);
        var read = await body.ReadAsync(buffer, Token);
        _deadline.CancelAfter(Timeout.InfiniteTimeSpan);
        _windowBytes += read;
        return read;
    }

    /// <summary>Null while the transfer keeps the minimum rate over the current window; otherwise why it is given up.</summary>
    public UpdateOutcome? CheckRate(string path)
    {
        var elapsed = _time.GetElapsedTime(_windowStart);
        if (elapsed < RateWindow)
        {
            return null;
        }

        if (_windowBytes < _limits.MinimumBytesPerSecond * elapsed.TotalSeconds)
        {
            return new UpdateOutcome(UpdateCode.Unreachable,
                $"{path} arrived at {_windowBytes / elapsed.TotalSeconds:0} bytes/s, below the {_limits.MinimumBytesPerSecond} bytes/s required (slow-retrieval defence); it resumes at the next attempt");
        }

        _windowStart = _time.GetTimestamp();
        _windowBytes = 0;
        return null;
    }

    public UpdateOutcome StalledOutcome(string path) =>
        new(UpdateCode.Unreachable, $"{path} stalled: no data for {_limits.ReadTimeout.TotalSeconds:0} s (slow-retrieval defence); it resumes at the next attempt");

    public void Dispose()
    {
        _linked.Dispose();
        _deadline.Dispose();
    }
}
