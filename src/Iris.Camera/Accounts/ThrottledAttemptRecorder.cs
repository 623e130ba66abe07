using System.Collections.Concurrent;
using Iris.Camera.Events;

namespace Iris.Camera.Accounts;

/// <summary>
/// Records login attempts refused by the throttle in the security event log without letting a flood turn
/// each refused attempt into a disk write: per source, at most one "login-throttled" event per interval,
/// carrying the number of attempts refused since the previous one. No refused attempt goes uncounted.
/// </summary>
internal sealed class ThrottledAttemptRecorder(SecurityEventLog events, TimeProvider time)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);
    private const int Capacity = 10_000;
    private readonly ConcurrentDictionary<string, Pending> _pending = new(StringComparer.Ordinal);

    public void Refused(string source, Func<string> accountName)
    {
        var now = time.GetUtcNow();
        if (_pending.Count >= Capacity)
        {
            Flush(now, force: true);
        }

        var pending = _pending.GetOrAdd(source, _ => new Pending { LastRecorded = DateTimeOffset.MinValue });
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

        events.Append(SecurityEventKinds.LoginThrottled, source, accountName(), $"{count} attempt(s) refused by throttling");
    }

    /// <summary>Writes the counts still pending (on shutdown, or when the table is full).</summary>
    public void Flush(DateTimeOffset now, bool force)
    {
        foreach (var (source, pending) in _pending)
        {
            int count;
            lock (pending)
            {
                count = pending.Count;
                pending.Count = 0;
            }

            if (count > 0)
            {
                events.Append(SecurityEventKinds.LoginThrottled, source, null, $"{count} attempt(s) refused by throttling");
            }

            if (force || now - pending.LastRecorded > Interval)
            {
                _pending.TryRemove(source, out _);
            }
        }
    }

    private sealed class Pending
    {
        public int Count { get; set; }

        public DateTimeOffset LastRecorded { get; set; }
    }
}
