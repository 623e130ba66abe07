using Iris.Camera.Events;

namespace Iris.Camera.Accounts;

public enum StepUpResult
{
    Verified,
    WrongPassword,
    Throttled,
}

public sealed record StepUpOutcome(StepUpResult Result, DateTimeOffset? RetryAt = null, bool Locked = false);

/// <summary>
/// Re-authentication of a signed-in account before a sensitive step (password change, factory reset): the
/// account's own password, typed again. Failures are counted per account and per session, never per address,
/// so guessing through one session cannot lock other accounts (or their logins) at the same address, and a
/// second session does not restart the count. Every failure is a security event; a lockout raises the lockout
/// alert. This is the only place that asks for a signed-in account's password again.
/// </summary>
internal sealed partial class StepUpAuthentication(
    AccountStore accounts,
    PasswordHasher hasher,
    TimeProvider time,
    AccountsOptions options,
    SecurityEventLog events,
    LoginAlerts alerts,
    ILogger<StepUpAuthentication> logger)
{
    private readonly AttemptBuckets _buckets = new(time, options, capacity: 10_000);

    public StepUpOutcome Verify(CameraSession session, string password, string source, string purpose)
    {
        var keys = Keys(session);
        var decision = _buckets.Check(keys);
        if (!decision.Allowed)
        {
            events.Append(SecurityEventKinds.ReauthenticationFailed, source, session.Username, $"{purpose}: refused, too many wrong passwords");
            Lockout(decision, session, source, purpose);
            return new StepUpOutcome(StepUpResult.Throttled, decision.RetryAt, decision.Locked);
        }

        // A session outlives neither its account nor a disable, but the account may have gone since the lookup.
        if (accounts.FindById(session.AccountId) is { Disabled: false } account && hasher.Verify(password, account.Password))
        {
            _buckets.Clear(keys);
            return new StepUpOutcome(StepUpResult.Verified);
        }

        var failure = _buckets.RecordFailure(keys);
        events.Append(SecurityEventKinds.ReauthenticationFailed, source, session.Username, $"{purpose}: wrong password");
        LogFailed(logger, purpose);
        Lockout(failure, session, source, purpose);
        return new StepUpOutcome(StepUpResult.WrongPassword);
    }

    private void Lockout(ThrottleDecision decision, CameraSession session, string source, string purpose)
    {
        if (decision.LockoutStarted)
        {
            events.Append(SecurityEventKinds.Lockout, source, session.Username, $"re-authentication for {purpose} locked for {options.LockoutDuration.TotalMinutes:0} minutes");
            alerts.LockoutStarted(source, session.Username);
        }
    }

    private static string[] Keys(CameraSession session) =>
        ["account:" + session.AccountId.ToString(System.Globalization.CultureInfo.InvariantCulture), "session:" + Convert.ToHexStringLower(session.TokenHash)];

    [LoggerMessage(EventId = 2110, Level = LogLevel.Warning, Message = "Re-authentication for {Purpose} failed: wrong password (the security log names the account).")]
    private static partial void LogFailed(ILogger logger, string purpose);
}
