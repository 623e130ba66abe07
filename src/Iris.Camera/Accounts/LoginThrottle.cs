using System.Net;

namespace Iris.Camera.Accounts;

/// <summary>
/// Login throttling (5.1.2.2), decided before any password hashing. Failures are counted per account and per
/// client source (IPv6 by /64): a few are free, then each needs a growing delay, and attempts made during a
/// delay count too, so hammering leads to a timed lockout. A source where the account has signed in before has
/// its own account bucket, so a flood from strangers cannot lock the owner out. Unknown usernames are throttled
/// like real ones, so the answer never tells whether an account exists.
/// </summary>
internal sealed class LoginThrottle(TimeProvider time, AccountsOptions options)
{
    private readonly AttemptBuckets _buckets = new(time, options);

    /// <summary>Kept for callers outside Accounts; new code uses <see cref="ClientAddress.ClientSource"/>.</summary>
    public ThrottleDecision Check(string account, string source, bool knownSource) => _buckets.Check(Keys(account, source, knownSource));

    public ThrottleDecision RecordFailure(string account, string source, bool knownSource) => _buckets.RecordFailure(Keys(account, source, knownSource));

    /// <summary>
    /// A login refused as busy counts against its source only: a source that keeps sending while the device is
    /// busy runs into delays and lockout instead of getting unlimited free tries.
    /// </summary>
    public ThrottleDecision RecordBusy(string source) => _buckets.RecordFailure([SourceBucket(source)]);

    public void RecordSuccess(string account, string source, bool knownSource) => _buckets.Clear(Keys(account, source, knownSource));

    private static string SourceBucket(string source) => "source:" + source;

    private static string[] Keys(string account, string source, bool knownSource) =>
    [
        SourceBucket(source),
        knownSource ? $"account:{account.ToLowerInvariant()}|known:{source}" : $"account:{account.ToLowerInvariant()}",
    ];
}
