using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Iris.Camera.Accounts;

/// <summary>The throttle's answer for one login attempt.</summary>
public readonly record struct ThrottleDecision(bool Allowed, DateTimeOffset RetryAt, bool Locked, bool LockoutStarted);

/// <summary>
/// Login throttling (5.1.2.2), decided before any password hashing. Failures are counted per account and per
/// client source (IPv6 by /64): a few are free, then each needs a growing delay, and attempts made during a
/// delay count too, so hammering leads to a timed lockout. A source where the account has signed in before has
/// its own account bucket, so a flood from strangers cannot lock the owner out. Unknown usernames are throttled
/// like real ones, so the answer never tells whether an account exists.
/// </summary>
internal sealed class LoginThrottle(TimeProvider time, AccountsOptions options)
{
    private const int Capacity = 50_000;
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);

    public static string SourceKey(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var bytes = address.GetAddressBytes();
            Array.Clear(bytes, 8, 8);
            return new IPAddress(bytes) + "/64";
        }

        return address.ToString();
    }

    public ThrottleDecision Check(string account, string source, bool knownSource)
    {
        var now = time.GetUtcNow();
        var decision = new ThrottleDecision(true, now, false, false);
        foreach (var key in Keys(account, source, knownSource))
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

    public ThrottleDecision RecordFailure(string account, string source, bool knownSource)
    {
        var now = time.GetUtcNow();
        var result = new ThrottleDecision(true, now, false, false);
        foreach (var key in Keys(account, source, knownSource))
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

    public void RecordSuccess(string account, string source, bool knownSource)
    {
        foreach (var key in Keys(account, source, knownSource))
        {
            _buckets.TryRemove(key, out _);
        }
    }

    private static ThrottleDecision Merge(ThrottleDecision a, ThrottleDecision b) => new(
        a.Allowed && b.Allowed,
        a.RetryAt > b.RetryAt ? a.RetryAt : b.RetryAt,
        a.Locked || b.Locked,
        a.LockoutStarted || b.LockoutStarted);

    private static string[] Keys(string account, string source, bool knownSource) =>
    [
        "source:" + source,
        knownSource ? $"account:{account.ToLowerInvariant()}|known:{source}" : $"account:{account.ToLowerInvariant()}",
    ];

    private Bucket? GetBucket(string key, DateTimeOffset now)
    {
        if (_buckets.TryGetValue(key, out var existing))
        {
            return existing;
        }

        if (_buckets.Count >= Capacity)
        {
            foreach (var (k, b) in _buckets)
            {
                if (now - b.LastAttempt > options.ThrottleWindow && b.LockedUntil <= now)
                {
                    _buckets.TryRemove(k, out _);
                }
            }

            if (_buckets.Count >= Capacity)
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
