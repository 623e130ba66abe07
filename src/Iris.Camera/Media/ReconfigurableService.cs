using Microsoft.Extensions.Hosting;

namespace Iris.Camera.Media;

/// <summary>
/// A background service that works in rounds: each round runs with the settings of its start, and
/// <see cref="Reconfigure"/> (settings or privacy mode changed) ends the round so the next one starts afresh.
/// Between rounds with nothing to do it waits for the next change, not on a timer.
/// </summary>
public abstract class ReconfigurableService(TimeProvider time) : BackgroundService
{
    private readonly Lock _lock = new();
    private CancellationTokenSource _changed = new();

    protected TimeProvider Time { get; } = time;

    public void Reconfigure()
    {
        CancellationTokenSource previous;
        lock (_lock)
        {
            previous = _changed;
            _changed = new CancellationTokenSource();
        }

        previous.Cancel();
        previous.Dispose();
    }

    /// <summary>One round; returns when there is nothing (more) to do until the next change.</summary>
    protected abstract Task RunRoundAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            CancellationToken changed;
            lock (_lock)
            {
                changed = _changed.Token;
            }

            using var round = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, changed);
            try
            {
                await RunRoundAsync(round.Token);
                await Task.Delay(Timeout.InfiniteTimeSpan, Time, round.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
