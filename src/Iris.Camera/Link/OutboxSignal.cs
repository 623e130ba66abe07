namespace Iris.Camera.Link;

/// <summary>Wakes a sender when an alert is enqueued; a wake that comes while it is busy is kept for its next wait.</summary>
internal sealed class OutboxSignal : IDisposable
{
    private readonly SemaphoreSlim _pending = new(0, 1);
    private readonly AlertOutbox _outbox;

    public OutboxSignal(AlertOutbox outbox)
    {
        _outbox = outbox;
        _outbox.Enqueued += Wake;
    }

    public void Wake()
    {
        try
        {
            _pending.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled; one wake covers every entry written since.
        }
    }

    /// <summary>Waits for an enqueue or for <paramref name="atMost"/> (so the sender re-checks its connection).</summary>
    public async Task WaitAsync(TimeSpan atMost, TimeProvider time, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(atMost, time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            await _pending.WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Timed out: nothing new, the caller looks again.
        }
    }

    public void Dispose()
    {
        _outbox.Enqueued -= Wake;
        _pending.Dispose();
    }
}
