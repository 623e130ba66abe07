using Iris.Camera.Events;

namespace Iris.Camera.Accounts;

public enum LoginResult
{
    Succeeded,
    Failed,
    NonceRejected,
    Throttled,
    Busy,
}

public sealed record LoginOutcome(LoginResult Result, Account? Account = null, IssuedSession? Session = null, DateTimeOffset? RetryAt = null, bool Locked = false);

/// <summary>
/// One login attempt, in the order that keeps a flood cheap: nonce (bound to this source, single use), throttle,
/// a fair turn at the hash for sources the account has not used before, and only then the password hash (or a
/// decoy hash of equal cost for unknown or disabled accounts, so the answer and its timing are the same).
/// </summary>
internal sealed class LoginService(
    LoginNonces nonces,
    LoginThrottle throttle,
    UnfamiliarSourceGate gate,
    UnfamiliarSourceHashing unfamiliarHashing,
    KnownSources knownSources,
    AccountStore accounts,
    SessionStore sessions,
    PasswordHasher hasher,
    SecurityEventLog events,
    LoginAlerts alerts,
    ThrottledAttemptRecorder throttled,
    LoginRefusals refusals)
{
    private const string UnknownAccount = "(unknown)";

    public async Task<LoginOutcome> AttemptAsync(string username, string password, string nonce, string source, CancellationToken cancellationToken)
    {
        if (nonces.Consume(nonce, source) != NonceCheck.Accepted)
        {
            return new LoginOutcome(LoginResult.NonceRejected);
        }

        return await CheckAsync(username, password, source, null, cancellationToken);
    }

    /// <summary>
    /// The same sign-in without a login nonce, for protocols whose clients cannot fetch one and send the password
    /// inside their own TLS connection (RTSPS Basic authentication): the same throttle, fair turn, hash, security
    /// events, alerts and session as a web login. <paramref name="channel"/> ("rtsps") is written into the detail of
    /// each security event the attempt records, so an owner can tell a recorder with a stale password from a web attack.
    /// </summary>
    public Task<LoginOutcome> AttemptWithoutNonceAsync(string username, string password, string source, string channel, CancellationToken cancellationToken) =>
        CheckAsync(username, password, source, channel, cancellationToken);

    private async Task<LoginOutcome> CheckAsync(string username, string password, string source, string? channel, CancellationToken cancellationToken)
    {
        var known = knownSources.IsKnown(username, source);
        var decision = throttle.Check(username, source, known);
        if (!decision.Allowed)
        {
            string AccountName() => accounts.Find(username)?.Username ?? UnknownAccount;
            alerts.LoginFailed(source, username, AccountName);
            throttled.Refused(source, AccountName, channel);
            if (decision.LockoutStarted)
            {
                RecordLockout(username, source, channel);
            }

            return new LoginOutcome(LoginResult.Throttled, RetryAt: decision.RetryAt, Locked: decision.Locked);
        }

        using var turn = known ? null : await gate.EnterAsync(source, cancellationToken);
        if (!known && turn is null)
        {
            // A busy answer is an attempt too: a source that keeps sending meets delays and lockout.
            var busy = throttle.RecordBusy(source);
            refusals.Refused(source, LoginRefusal.Busy);
            if (busy.LockoutStarted)
            {
                RecordLockout(username, source, channel);
            }

            return new LoginOutcome(LoginResult.Busy);
        }

        var account = accounts.Find(username);
        bool Hash() => account is { Disabled: false } ? hasher.Verify(password, account.Password) : hasher.VerifyAgainstDecoy(password);
        var verified = known ? Hash() : unfamiliarHashing.Run(Hash);
        turn?.Dispose();

        if (!verified || account is null)
        {
            var recordedAccount = account?.Username ?? UnknownAccount;
            var failure = throttle.RecordFailure(username, source, known);
            events.Append(SecurityEventKinds.LoginFailed, source, recordedAccount, channel);
            alerts.LoginFailed(source, username, () => recordedAccount);
            if (failure.LockoutStarted)
            {
                RecordLockout(recordedAccount, source, channel);
            }

            return new LoginOutcome(LoginResult.Failed);
        }

        throttle.RecordSuccess(username, source, known);
        var hadKnownSources = known || knownSources.HasAny(account.Username);
        if (!known)
        {
            // A known source is already stored: remembering it again took SQLite's write lock on the owner's path
            // and dropped the known-source snapshot every nonce of a flood is checked against.
            knownSources.Remember(account.Username, source);
        }

        var detail = account.MustChangePassword ? "password change required" : null;
        events.Append(SecurityEventKinds.LoginSucceeded, source, account.Username, channel is null ? detail : string.Join("; ", new[] { channel, detail }.OfType<string>()));
        alerts.LoginSucceeded(source, account.Username, known, hadKnownSources);
        return new LoginOutcome(LoginResult.Succeeded, account, sessions.Create(account.Id, source));
    }

    private void RecordLockout(string account, string source, string? channel)
    {
        var name = accounts.Find(account)?.Username ?? UnknownAccount;
        events.Append(SecurityEventKinds.Lockout, source, name, channel);
        alerts.LockoutStarted(source, name);
    }
}
