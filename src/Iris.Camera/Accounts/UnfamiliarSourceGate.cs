namespace Iris.Camera.Accounts;

/// <summary>
/// Turns at the password hash for sources the account has not signed in from (5.1.2.2 under load). One hash
/// runs at a time for them, so a flood of unfamiliar logins cannot take the device's CPU; the turns are shared
/// fairly per source: each source holds at most one turn or place in the queue, and the queue is served fewest
/// recent turns first (in arrival order among equals), so with many sources it goes round-robin and a newcomer
/// is served ahead of sources that already had turns. When the queue is full, a newcomer takes the place of the
/// waiting source that has had the most turns lately; a source with fewer turns is never pushed out by one
/// with more. So an honest source signing in for the first time during a spray waits behind at most
/// <see cref="AccountsOptions.UnfamiliarSourceQueue"/> hashes instead of losing every race to the flood.
/// </summary>
internal sealed class UnfamiliarSourceGate(TimeProvider time, AccountsOptions options)
{
    private const int TrackedSources = 10_000;
    private readonly Lock _lock = new();
    private readonly LinkedList<Waiter> _queue = new();
    private readonly HashSet<string> _holding = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Turns> _turns = new(StringComparer.Ordinal);
    private int _running;

    /// <summary>A turn (dispose it when the hash is done), or null: busy.</summary>
    public async ValueTask<IDisposable?> EnterAsync(string source, CancellationToken cancellationToken)
    {
        Waiter waiter;
        lock (_lock)
        {
            if (!_holding.Add(source))
            {
                return null; // One turn or place per source.
            }

            var turns = TurnsOf(source);
            if (_running == 0 && _queue.Count == 0)
            {
                Grant(source);
                return new Lease(this, source);
            }

            if (_queue.Count >= options.UnfamiliarSourceQueue && !Displace(turns))
            {
                _holding.Remove(source);
                return null;
            }

            waiter = new Waiter(source, turns);
            waiter.Node = _queue.AddLast(waiter);
        }

        using var stopWaiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            await Task.WhenAny(waiter.Granted.Task, Task.Delay(options.UnfamiliarSourceMaxWait, time, stopWaiting.Token)).ConfigureAwait(false);
        }
        finally
        {
            await stopWaiting.CancelAsync().ConfigureAwait(false);
            lock (_lock)
            {
                if (waiter.Node.List is not null)
                {
                    // Timed out or the client went away while still waiting.
                    _queue.Remove(waiter.Node);
                    _holding.Remove(source);
                    waiter.Granted.TrySetResult(false);
                }
            }
        }

        if (waiter.Granted.Task.Result)
        {
            return new Lease(this, source);
        }

        return null;
    }

    /// <summary>
    /// The waiter that has had the fewest turns lately, the earliest of those first: a source signing in for the
    /// first time goes ahead of sprayers that already had theirs, so its wait does not grow with the queue.
    /// </summary>
    private Waiter? NextInLine()
    {
        Waiter? next = null;
        foreach (var waiting in _queue)
        {
            if (next is null || waiting.Turns < next.Turns)
            {
                next = waiting;
            }
        }

        return next;
    }

    private bool Displace(int newcomerTurns)
    {
        Waiter? busiest = null;
        foreach (var waiting in _queue)
        {
            if (busiest is null || waiting.Turns > busiest.Turns)
            {
                busiest = waiting;
            }
        }

        if (busiest is null || busiest.Turns <= newcomerTurns)
        {
            return false;
        }

        _queue.Remove(busiest.Node);
        _holding.Remove(busiest.Source);
        busiest.Granted.TrySetResult(false);
        return true;
    }

    private void Grant(string source)
    {
        _running++;
        var now = time.GetUtcNow();
        if (_turns.Count >= TrackedSources)
        {
            foreach (var stale in _turns.Where(t => now - t.Value.Last > options.ThrottleWindow).Select(t => t.Key).ToList())
            {
                _turns.Remove(stale);
            }

            if (_turns.Count >= TrackedSources)
            {
                _turns.Clear();
            }
        }

        _turns[source] = new Turns(TurnsOf(source) + 1, now);
    }

    private int TurnsOf(string source) =>
        _turns.TryGetValue(source, out var turns) && time.GetUtcNow() - turns.Last <= options.ThrottleWindow ? turns.Count : 0;

    private void Release(string source)
    {
        lock (_lock)
        {
            _running--;
            _holding.Remove(source);
            if (NextInLine() is { } next)
            {
                _queue.Remove(next.Node);
                Grant(next.Source);
                next.Granted.TrySetResult(true);
            }
        }
    }

    private readonly record struct Turns(int Count, DateTimeOffset Last);

    private sealed class Waiter(string source, int turns)
    {
        public string Source { get; } = source;

        public int Turns { get; } = turns;

        public LinkedListNode<Waiter> Node { get; set; } = null!;

        public TaskCompletionSource<bool> Granted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class Lease(UnfamiliarSourceGate gate, string source) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                gate.Release(source);
            }
        }
    }
}
