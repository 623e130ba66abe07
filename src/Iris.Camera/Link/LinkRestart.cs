namespace Iris.Camera.Link;

/// <summary>
/// Tells the senders that the settings changed: each runs until the current round's token is cancelled, then
/// starts again on the new settings (a new connection to a new broker, or off).
/// </summary>
internal sealed class LinkRestart(TimeProvider time) : IDisposable
{
    private readonly Lock _lock = new();
    private CancellationTokenSource _round = new();

    /// <summary>Cancelled when the settings change.</summary>
    public CancellationToken Round
    {
        get
        {
            lock (_lock)
            {
                return _round.Token;
            }
        }
    }

    /// <summary>
    /// A sender's whole life: one <paramref name="run"/> per round of settings while <paramref name="configured"/>
    /// says it has somewhere to send, waiting for the next change while it does not, until the daemon stops.
    /// </summary>
    public async Task RunRoundsAsync(Func<bool> configured, Func<CancellationToken, Task> run, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            using var round = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, Round);
            if (configured())
            {
                await run(round.Token);
                continue;
            }

            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, time, round.Token);
            }
            catch (OperationCanceledException)
            {
                // Settings changed or the daemon stops: the loop decides which.
            }
        }
    }

    public void Restart()
    {
        CancellationTokenSource old;
        lock (_lock)
        {
            old = _round;
            _round = new CancellationTokenSource();
        }

        // Not disposed: a sender may still be registering on its token; cancelled, it holds nothing.
        old.Cancel();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _round.Dispose();
        }
    }
}
