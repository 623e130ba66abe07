namespace Iris.Camera.Accounts;

/// <summary>
/// Turns at the password hash for sources the account has not signed in from (5.1.2.2 under load). One hash
/// runs at a time for them, so a flood of unfamiliar logins cannot take the device's CPU; the turns are shared
/// fairly per source: each source holds at most one turn or place in the queue, and the queue is served fewest
/// recent turns first (in arrival order among equals), so with many sources it goes round-robin and a newcomer
/// is served ahead of sources that already had turns. When the queue is full, a newcomer takes the place of the
/// waiting source that has had the most turns lately; a source with fewer turns is never pushed out by one
/// with more. A refused attempt ("busy") counts as a turn too, so a sprayer that bounced off a full queue no
/// longer ranks with a source that has not tried yet. The queue holds only as many places as hashes fit in
/// <see cref="AccountsOptions.UnfamiliarSourceQueueWait"/> (measured from the turns themselves, at most
/// <see cref="AccountsOptions.UnfamiliarSourceQueue"/>), so the sources that got a place in a spray's first
/// burst are served within that time; after it an honest source signing in for the first time goes ahead of
/// every sprayer and waits about one hash instead of losing every race to the flood.
/// </summary>
internal sealed class UnfamiliarSourceGate(TimeProvider time, AccountsOptions options)
{
    private const int TrackedSources = 10_000;
    private readonly Lock _lock = new();
    private readonly LinkedList<Waiter> _queue = new();
    private readonly HashSet<string> _holding = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Turns> _turns = new(StringComparer.Ordinal);
    private int _running;
    private TimeSpan _turnLength;

    /// <summary>Sources waiting in the queue for a turn (not the one hashing).</summary>
    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>A turn (dispose it when the hash is done), or null: busy.</summary>
    public async ValueTask<IDisposable?> EnterAsync(string source, CancellationToken cancellationToken)
    {
        Waiter waiter;
        lock (_lock)
        {
            if (!_holding.Add(source))
            {
                CountTurn(source);
                return null; // One turn or place per source.
            }

            var turns = TurnsOf(source);
            if (_running == 0 && _queue.Count == 0)
            {
                Grant(source);
                return new Lease(this, source, time.GetTimestamp());
            }

            if (_queue.Count >= Places() && !Displace(turns))
            {
                _holding.Remove(source);
                CountTurn(source);
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
                    CountTurn(source);
                    waiter.Granted.TrySetResult(false);
                }
            }
        }

        if (waiter.Granted.Task.Result)
        {
            return new Lease(this, source, time.GetTimestamp());
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
        CountTurn(busiest.Source);
        busiest.Granted.TrySetResult(false);
        return true;
    }

    /// <summary>
    /// Queue places: as many hashes as fit in the configured wait, by the recent length of a turn (which grows
    /// when a flood takes the CPU), at least one and at most the configured queue.
    /// </summary>
    private int Places()
    {
        if (_turnLength <= TimeSpan.Zero)
        {
            return options.UnfamiliarSourceQueue;
        }

        var fit = options.UnfamiliarSourceQueueWait.Ticks / _turnLength.Ticks;
        return (int)Math.Clamp(fit, 1, options.UnfamiliarSourceQueue);
    }

    private void Grant(string source)
    {
        _running++;
        CountTurn(source);
    }

    private void CountTurn(string source)
    {
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

    private void Release(string source, long started)
    {
        var turnLength = time.GetElapsedTime(started);
        lock (_lock)
        {
            // A moving average over about eight turns: quick to follow a flood, not thrown by one slow hash.
            _turnLength = _turnLength <= TimeSpan.Zero ? turnLength : (_turnLength * 7 + turnLength) / 8;
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

    private sealed class Lease(UnfamiliarSourceGate gate, string source, long started) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                gate.Release(source, started);
            }
        }
    }
}
