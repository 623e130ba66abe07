using System.Collections.Concurrent;
using Iris.Camera.Events;

namespace Iris.Camera.Accounts;

/// <summary>
/// Watches login outcomes and raises alerts through the one dispatcher: brute force, lockouts, a success after many
/// failures, and a login from a source never seen for that account.
/// </summary>
internal sealed class LoginAlerts(AlertCenter alerts, TimeProvider time, AccountsOptions options)
{
    private readonly ConcurrentDictionary<string, FailureWindow> _failuresBySource = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, FailureWindow> _failuresByAccount = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Counts a failed or throttled attempt. <paramref name="typedUsername"/> only keys the count;
    /// <paramref name="accountName"/> is resolved only when an alert is raised, so a password typed into the
    /// username field never reaches an alert.
    /// </summary>
    public void LoginFailed(string source, string typedUsername, Func<string> accountName)
    {
        var now = time.GetUtcNow();
        var bySource = Count(_failuresBySource, source, now);
        Count(_failuresByAccount, typedUsername, now);
        if (bySource == options.BruteForceAlertFailures)
        {
            var account = accountName();
            alerts.Raise(AlertKinds.BruteForce, source, account, $"{bySource} failed logins from {source} within {options.ThrottleWindow.TotalMinutes:0} minutes.");
        }
    }

    public void LockoutStarted(string source, string account) =>
        alerts.Raise(AlertKinds.Lockout, source, account, $"Login locked for account '{account}' or source {source} for {options.LockoutDuration.TotalMinutes:0} minutes after repeated failures.");

    /// <summary>Called after a successful login; <paramref name="sourceWasKnown"/> says whether the account had used this source before.</summary>
    public void LoginSucceeded(string source, string account, bool sourceWasKnown, bool accountHadKnownSources)
    {
        var now = time.GetUtcNow();
        if (_failuresByAccount.TryRemove(account, out var window) && window.CountAt(now, options.ThrottleWindow) >= options.BruteForceAlertFailures)
        {
            alerts.Raise(AlertKinds.SuccessAfterFailures, source, account, $"Successful login to '{account}' after {window.Failures} failed attempts.");
        }

        if (!sourceWasKnown && accountHadKnownSources)
        {
            alerts.Raise(AlertKinds.NewSource, source, account, $"Login to '{account}' from {source}, a source not seen before for this account.");
        }
    }

    private int Count(ConcurrentDictionary<string, FailureWindow> windows, string key, DateTimeOffset now)
    {
        if (windows.Count > 10_000)
        {
            windows.Clear(); // Bounded memory under a flood; lockouts and throttling still apply.
        }

        var window = windows.GetOrAdd(key, _ => new FailureWindow());
        lock (window)
        {
            if (now - window.Start > options.ThrottleWindow)
            {
                window.Start = now;
                window.Failures = 0;
            }

            return ++window.Failures;
        }
    }

    private sealed class FailureWindow
    {
        public DateTimeOffset Start { get; set; }

        public int Failures { get; set; }

        public int CountAt(DateTimeOffset now, TimeSpan window) => now - Start <= window ? Failures : 0;
    }
}
