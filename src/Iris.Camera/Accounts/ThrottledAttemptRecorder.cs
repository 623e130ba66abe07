using System.Collections.Concurrent;
using Iris.Camera.Events;

namespace Iris.Camera.Accounts;

/// <summary>
/// Records login attempts refused by the throttle in the security event log without letting a flood turn
/// each refused attempt into a disk write: per source, at most one "login-throttled" event per interval,
/// carrying the number of attempts refused since the previous one. No refused attempt goes uncounted. Attempts over
/// another channel than the web (RTSPS) are counted apart and their event names it.
/// </summary>
internal sealed class ThrottledAttemptRecorder(SecurityEventLog events, TimeProvider time)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);
    private const int Capacity = 10_000;
    private readonly ConcurrentDictionary<(string Source, string? Channel), Pending> _pending = new();

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

        events.Append(SecurityEventKinds.LoginThrottled, source, accountName(), Detail(count, channel));
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

            if (count > 0)
            {
                events.Append(SecurityEventKinds.LoginThrottled, key.Source, null, Detail(count, key.Channel));
            }

            if (force || now - pending.LastRecorded > Interval)
            {
                _pending.TryRemove(key, out _);
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
