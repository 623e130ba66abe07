namespace Iris.Camera.Accounts;

/// <summary>Login, session and throttling settings (section Iris:Accounts). Defaults are the documented product defaults.</summary>
public sealed class AccountsOptions
{
    public const string SectionName = "Iris:Accounts";

    /// <summary>PBKDF2-HMAC-SHA-256 iterations for new hashes. 600,000 (OWASP's figure) takes ~154 ms on the benchmark machine (docs/benchmarks.md).</summary>
    public int PasswordIterations { get; set; } = 600_000;

    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromMinutes(15);

    public TimeSpan SessionAbsoluteTimeout { get; set; } = TimeSpan.FromHours(8);

    public TimeSpan LoginNonceLifetime { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Failed attempts (per account, per source) answered without delay.</summary>
    public int ThrottleFreeAttempts { get; set; } = 3;

    /// <summary>Delay after the first failure past the free ones; doubles with each further failure.</summary>
    public TimeSpan ThrottleBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan ThrottleMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Attempts (failed or made while delayed) after which the account or source is locked.</summary>
    public int LockoutAttempts { get; set; } = 10;

    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Quiet time after which a source's or account's failure count starts again from zero.</summary>
    public TimeSpan ThrottleWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Failures from one source within <see cref="ThrottleWindow"/> that raise a brute-force alert.</summary>
    public int BruteForceAlertFailures { get; set; } = 5;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (PasswordIterations is < 1_000 or > 10_000_000)
        {
            errors.Add($"{SectionName}:PasswordIterations must be between 1000 and 10000000.");
        }

        if (SessionIdleTimeout <= TimeSpan.Zero || SessionAbsoluteTimeout < SessionIdleTimeout)
        {
            errors.Add($"{SectionName}: session timeouts must be positive and the absolute one at least the idle one.");
        }

        if (LoginNonceLifetime < TimeSpan.FromSeconds(10) || LoginNonceLifetime > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{SectionName}:LoginNonceLifetime must be between 10 seconds and 10 minutes.");
        }

        if (ThrottleFreeAttempts is < 1 or > 10 || LockoutAttempts <= ThrottleFreeAttempts || LockoutAttempts > 100)
        {
            errors.Add($"{SectionName}: ThrottleFreeAttempts must be 1-10 and LockoutAttempts above it, at most 100.");
        }

        if (ThrottleBaseDelay <= TimeSpan.Zero || ThrottleMaxDelay < ThrottleBaseDelay || LockoutDuration <= TimeSpan.Zero || ThrottleWindow <= TimeSpan.Zero)
        {
            errors.Add($"{SectionName}: throttle delays, lockout duration and window must be positive (max delay at least the base delay).");
        }

        if (BruteForceAlertFailures < 2)
        {
            errors.Add($"{SectionName}:BruteForceAlertFailures must be at least 2.");
        }

        return errors;
    }
}
