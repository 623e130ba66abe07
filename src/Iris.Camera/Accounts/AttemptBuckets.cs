using System.Collections.Concurrent;

namespace Iris.Camera.Accounts;

/// <summary>The throttle's answer for one attempt.</summary>
public readonly record struct ThrottleDecision(bool Allowed, DateTimeOffset RetryAt, bool Locked, bool LockoutStarted);

/// <summary>
/// Failure counting behind every password check: per key, a few failures are free, then each needs a growing
/// delay, attempts made during a delay count too, and enough of them lock the key for a while. The caller
/// chooses the keys (source, account, session), so login and re-authentication keep separate counts and one
/// cannot lock the other. Bounded: when full of active keys, new keys are refused rather than tracked.
/// </summary>
internal sealed class AttemptBuckets(TimeProvider time, AccountsOptions options, int capacity = 50_000)
{
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);

    public ThrottleDecision Check(IEnumerable<string> keys)
    {
        var now = time.GetUtcNow();
        var decision = new ThrottleDecision(true, now, false, false);
        foreach (var key in keys)
        {
            var bucket = GetBucket(key, now);
            if (bucket is null)
            {
                return new ThrottleDecision(false, now + options.ThrottleBaseDelay, false, false);
            }

            lock (bucket)
            {
                bucket.ResetIfQuiet(now, options.ThrottleWindow);
                if (bucket.BlockedUntil(now) is { } until)
                {
                    // An attempt during a delay counts: hammering leads to lockout.
                    var started = bucket.Count(now, options);
                    decision = Merge(decision, new ThrottleDecision(false, bucket.BlockedUntil(now) ?? until, bucket.LockedUntil > now, started));
                }
            }
        }

        return decision;
    }

    public ThrottleDecision RecordFailure(IEnumerable<string> keys)
    {
        var now = time.GetUtcNow();
        var result = new ThrottleDecision(true, now, false, false);
        foreach (var key in keys)
        {
            var bucket = GetBucket(key, now);
            if (bucket is null)
            {
                continue;
            }

            lock (bucket)
            {
                var started = bucket.Count(now, options);
                result = Merge(result, new ThrottleDecision(true, bucket.BlockedUntil(now) ?? now, bucket.LockedUntil > now, started));
            }
        }

        return result;
    }

    public void Clear(IEnumerable<string> keys)
    {
        foreach (var key in keys)
        {
            _buckets.TryRemove(key, out _);
        }
    }

    private static ThrottleDecision Merge(ThrottleDecision a, ThrottleDecision b) => new(
        a.Allowed && b.Allowed,
        a.RetryAt > b.RetryAt ? a.RetryAt : b.RetryAt,
        a.Locked || b.Locked,
        a.LockoutStarted || b.LockoutStarted);

    private Bucket? GetBucket(string key, DateTimeOffset now)
    {
        if (_buckets.TryGetValue(key, out var existing))
        {
            return existing;
        }

        if (_buckets.Count >= capacity)
        {
            foreach (var (k, b) in _buckets)
            {
                if (now - b.LastAttempt > options.ThrottleWindow && b.LockedUntil <= now)
                {
                    _buckets.TryRemove(k, out _);
                }
            }

            if (_buckets.Count >= capacity)
            {
                return null; // Full of active attackers: refuse new keys rather than hash for them.
            }
        }

        return _buckets.GetOrAdd(key, _ => new Bucket { LastAttempt = now });
    }

    private sealed class Bucket
    {
        public int Attempts { get; private set; }

        public DateTimeOffset LastAttempt { get; set; }

        public DateTimeOffset NextAllowed { get; private set; }

        public DateTimeOffset LockedUntil { get; private set; }

        public void ResetIfQuiet(DateTimeOffset now, TimeSpan window)
        {
            if (LockedUntil <= now && now - LastAttempt > window)
            {
                Attempts = 0;
                NextAllowed = default;
            }
        }

        public DateTimeOffset? BlockedUntil(DateTimeOffset now)
        {
            var until = LockedUntil > NextAllowed ? LockedUntil : NextAllowed;
            return until > now ? until : null;
        }

        /// <summary>Counts an attempt; returns true when this attempt started a lockout.</summary>
        public bool Count(DateTimeOffset now, AccountsOptions options)
        {
            ResetIfQuiet(now, options.ThrottleWindow);
            Attempts++;
            LastAttempt = now;
            if (Attempts > options.ThrottleFreeAttempts)
            {
                var exponent = Math.Min(Attempts - options.ThrottleFreeAttempts - 1, 20);
                var delay = TimeSpan.FromTicks(Math.Min(options.ThrottleBaseDelay.Ticks << exponent, options.ThrottleMaxDelay.Ticks));
                NextAllowed = now + delay;
            }

            if (Attempts >= options.LockoutAttempts && LockedUntil <= now)
            {
                LockedUntil = now + options.LockoutDuration;
                return true;
            }

            return false;
        }
    }
}
