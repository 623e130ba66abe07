namespace Iris.Camera.Accounts;

/// <summary>Login, session and throttling settings (section Iris:Accounts). Defaults are the documented product defaults.</summary>
public sealed class AccountsOptions : Platform.IBoundSettings<AccountsOptions>
{
    public const string SectionName = "Iris:Accounts";

    public static AccountsOptions? Bind(IConfiguration section) => section.Get<AccountsOptions>(Platform.SettingsBinding.Strict);

    /// <summary>PBKDF2-HMAC-SHA-256 iterations for new hashes. 600,000 (OWASP's figure) takes ~154 ms on the benchmark machine (docs/benchmarks.md).</summary>
    public int PasswordIterations { get; set; } = 600_000;

    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromMinutes(15);

    public TimeSpan SessionAbsoluteTimeout { get; set; } = TimeSpan.FromHours(8);

    public TimeSpan LoginNonceLifetime { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Nonces a source can get at once; afterwards one more per <see cref="LoginNonceInterval"/>.</summary>
    public int LoginNonceBurst { get; set; } = 10;

    public TimeSpan LoginNonceInterval { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>Unfamiliar sources whose nonce records are kept at once (sources accounts signed in from are extra).</summary>
    public int LoginNonceSources { get; set; } = 2_048;

    /// <summary>Unfamiliar sources that may wait for a turn at the password hash (one runs at a time).</summary>
    public int UnfamiliarSourceQueue { get; set; } = 32;

    /// <summary>
    /// The wait in the queue an unfamiliar source should expect at most: the queue keeps as many places as turns
    /// at the hash fit in it (measured), up to <see cref="UnfamiliarSourceQueue"/>. Past that the answer is "busy".
    /// </summary>
    public TimeSpan UnfamiliarSourceQueueWait { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a login from an unfamiliar source waits for its turn before the answer is "busy".</summary>
    public TimeSpan UnfamiliarSourceMaxWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How much lower than the daemon (Linux nice steps, 0-19) the unfamiliar-source hashing thread runs. 0, the
    /// default: the same priority. Raised, the owner's hash from a known source gets the CPU first, but so does
    /// everything else the device runs, the flood's own TLS work included: a never-seen honest sign-in during a spray
    /// then waits longer (at 10 the spray test starved it under a loaded machine), so it is a maker's choice per model.
    /// </summary>
    public int UnfamiliarSourceHashNice { get; set; }

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

        if (LoginNonceBurst is < 1 or > 100 || LoginNonceInterval < TimeSpan.FromMilliseconds(100) || LoginNonceInterval > LoginNonceLifetime)
        {
            errors.Add($"{SectionName}: LoginNonceBurst must be 1-100 and LoginNonceInterval between 0.1 s and the nonce lifetime.");
        }

        if (LoginNonceSources is < 16 or > 100_000)
        {
            errors.Add($"{SectionName}:LoginNonceSources must be between 16 and 100000.");
        }

        if (UnfamiliarSourceQueue is < 1 or > 1_000 || UnfamiliarSourceMaxWait <= TimeSpan.Zero || UnfamiliarSourceMaxWait > TimeSpan.FromMinutes(1))
        {
            errors.Add($"{SectionName}: UnfamiliarSourceQueue must be 1-1000 and UnfamiliarSourceMaxWait above zero, at most a minute.");
        }

        if (UnfamiliarSourceHashNice is < 0 or > 19)
        {
            errors.Add($"{SectionName}: UnfamiliarSourceHashNice must be 0-19.");
        }

        if (UnfamiliarSourceQueueWait <= TimeSpan.Zero || UnfamiliarSourceQueueWait > UnfamiliarSourceMaxWait)
        {
            errors.Add($"{SectionName}: UnfamiliarSourceQueueWait must be above zero and at most UnfamiliarSourceMaxWait.");
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
