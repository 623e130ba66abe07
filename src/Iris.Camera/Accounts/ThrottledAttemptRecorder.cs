using System.Collections.Concurrent;
using Iris.Camera.Events;

namespace Iris.Camera.Accounts;

/// <summary>
/// Records login attempts refused by the throttle in the security event log without letting a flood turn
/// each refused attempt into a disk write: per source, at most one "login-throttled" event per interval,
/// carrying the number of attempts refused since the previous one. No refused attempt goes uncounted. Attempts over
/// another channel than the web (RTSPS) are counted apart and their event names it. Across sources, at most
/// <see cref="SourceEventsPerInterval"/> such events per interval: a flood from thousands of addresses (an IPv6
/// prefix holds billions) would otherwise still write one row per source per minute, about 0.5 GB an hour. The
/// attempts of sources over that budget go into one event per interval from <see cref="ManySources"/>, which
/// says how many sources they came from.
/// </summary>
internal sealed class ThrottledAttemptRecorder(SecurityEventLog events, TimeProvider time)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);
    public const int SourceEventsPerInterval = 30;

    /// <summary>The source recorded on the event that sums up the sources over the budget.</summary>
    public const string ManySources = "(many sources)";

    private const int Capacity = 10_000;
    private readonly ConcurrentDictionary<(string Source, string? Channel), Pending> _pending = new();
    private readonly Lock _budgetLock = new();
    private DateTimeOffset _windowStart = DateTimeOffset.MinValue;
    private int _sourceEvents;
    private int _overflowAttempts;
    private int _overflowSources;

    public void Refused(string source, Func<string> accountName, string? channel = null)
    {
        var now = time.GetUtcNow();
        if (_pending.Count >= Capacity)
        {
            Flush(now, force: true);
        }

        var pending = _pending.GetOrAdd((source, channel), _ => new Pending { LastRecorded = DateTimeOffset.MinValue });
        int count;
        lock (pending)
        {
            pending.Count++;
            if (now - pending.LastRecorded < Interval)
            {
                return;
            }

            count = pending.Count;
            pending.Count = 0;
            pending.LastRecorded = now;
        }

        if (TakeBudget(now, count))
        {
            events.Append(SecurityEventKinds.LoginThrottled, source, accountName(), Detail(count, channel));
        }
    }

    /// <summary>True when one more per-source event fits this interval; otherwise the attempts join the sum.</summary>
    private bool TakeBudget(DateTimeOffset now, int count)
    {
        lock (_budgetLock)
        {
            if (now - _windowStart >= Interval)
            {
                WriteOverflow();
                (_windowStart, _sourceEvents) = (now, 0);
            }

            if (_sourceEvents < SourceEventsPerInterval)
            {
                _sourceEvents++;
                return true;
            }

            _overflowAttempts += count;
            _overflowSources++;
            return false;
        }
    }

    /// <summary>Writes the sum of the sources over the budget, if any (under the budget lock).</summary>
    private void WriteOverflow()
    {
        if (_overflowAttempts > 0)
        {
            events.Append(SecurityEventKinds.LoginThrottled, ManySources, null,
                Detail(_overflowAttempts, null) + $", from {_overflowSources} source(s) over the {SourceEventsPerInterval} per-source events a minute");
            (_overflowAttempts, _overflowSources) = (0, 0);
        }
    }

    /// <summary>Writes the counts still pending (on shutdown, or when the table is full).</summary>
    public void Flush(DateTimeOffset now, bool force)
    {
        foreach (var (key, pending) in _pending)
        {
            int count;
            lock (pending)
            {
                count = pending.Count;
                pending.Count = 0;
            }

            if (count > 0 && TakeBudget(now, count))
            {
                events.Append(SecurityEventKinds.LoginThrottled, key.Source, null, Detail(count, key.Channel));
            }

            if (force || now - pending.LastRecorded > Interval)
            {
                _pending.TryRemove(key, out _);
            }
        }

        if (force)
        {
            lock (_budgetLock)
            {
                WriteOverflow();
            }
        }
    }

    private static string Detail(int count, string? channel) =>
        $"{count} attempt(s) refused by throttling" + (channel is null ? "" : $" ({channel})");

    private sealed class Pending
    {
        public int Count { get; set; }

        public DateTimeOffset LastRecorded { get; set; }
    }
}
