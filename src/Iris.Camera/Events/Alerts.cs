using System.Collections.Concurrent;
using System.Globalization;
using Iris.Camera.Accounts;
using Iris.Camera.Identity;
using Iris.Camera.Storage;
using Microsoft.Extensions.Logging;

namespace Iris.Camera.Events;

/// <summary>An active alert to the administrator (5.8.1.1). Always names the device serial.</summary>
public sealed record SecurityAlert(long Id, DateTimeOffset At, string Kind, string Serial, string? Source, string? Account, string Message, DateTimeOffset? AcknowledgedAt);

public static class AlertKinds
{
    public const string BruteForce = "brute-force";
    public const string Lockout = "lockout";
    public const string SuccessAfterFailures = "login-after-failures";
    public const string NewSource = "login-from-new-source";
    public const string UpdateRefused = "update-refused";
    public const string UpdateRolledBack = "update-rolled-back";
}

/// <summary>Where alerts are pushed besides the inbox. MQTT and webhook channels implement this in a later issue.</summary>
public interface IAlertChannel
{
    Task SendAsync(SecurityAlert alert, CancellationToken cancellationToken);
}

/// <summary>
/// Watches login outcomes and raises alerts for brute force, lockouts, a success after many failures, and a
/// login from a source never seen for that account. Alerts are stored in the inbox, then sent to every channel.
/// </summary>
internal sealed partial class AlertCenter(
    CameraDatabase database,
    DeviceIdentity identity,
    TimeProvider time,
    AccountsOptions options,
    IEnumerable<IAlertChannel> channels,
    ILogger<AlertCenter> logger)
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
            Raise(AlertKinds.BruteForce, source, account, $"{bySource} failed logins from {source} within {options.ThrottleWindow.TotalMinutes:0} minutes.");
        }
    }

    public void LockoutStarted(string source, string account) =>
        Raise(AlertKinds.Lockout, source, account, $"Login locked for account '{account}' or source {source} for {options.LockoutDuration.TotalMinutes:0} minutes after repeated failures.");

    /// <summary>Called after a successful login; <paramref name="sourceWasKnown"/> says whether the account had used this source before.</summary>
    public void LoginSucceeded(string source, string account, bool sourceWasKnown, bool accountHadKnownSources)
    {
        var now = time.GetUtcNow();
        if (_failuresByAccount.TryRemove(account, out var window) && window.CountAt(now, options.ThrottleWindow) >= options.BruteForceAlertFailures)
        {
            Raise(AlertKinds.SuccessAfterFailures, source, account, $"Successful login to '{account}' after {window.Failures} failed attempts.");
        }

        if (!sourceWasKnown && accountHadKnownSources)
        {
            Raise(AlertKinds.NewSource, source, account, $"Login to '{account}' from {source}, a source not seen before for this account.");
        }
    }

    /// <summary>An update was refused for a reason that points at tampering, or a new version was rolled back.</summary>
    public void UpdateProblem(string kind, string message) => Raise(kind, null, null, message);

    public IReadOnlyList<SecurityAlert> Inbox(bool includeAcknowledged, int limit)
    {
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, at, kind, serial, source, account, message, acknowledged_at FROM alerts WHERE $all = 1 OR acknowledged_at IS NULL ORDER BY id DESC LIMIT $limit;";
        command.Parameters.AddWithValue("$all", includeAcknowledged ? 1 : 0);
        command.Parameters.AddWithValue("$limit", limit);
        using var reader = command.ExecuteReader();
        var alerts = new List<SecurityAlert>();
        while (reader.Read())
        {
            alerts.Add(new SecurityAlert(reader.GetInt64(0), Parse(reader.GetString(1)), reader.GetString(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetString(6),
                reader.IsDBNull(7) ? null : Parse(reader.GetString(7))));
        }

        return alerts;
    }

    public bool Acknowledge(long id)
    {
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE alerts SET acknowledged_at = $now WHERE id = $id AND acknowledged_at IS NULL;";
        command.Parameters.AddWithValue("$now", Format(time.GetUtcNow()));
        command.Parameters.AddWithValue("$id", id);
        return command.ExecuteNonQuery() == 1;
    }

    private void Raise(string kind, string? source, string? account, string message)
    {
        var at = time.GetUtcNow();
        long id;
        using (var connection = database.OpenConnection())
        using (var insert = connection.CreateCommand())
        {
            insert.CommandText = "INSERT INTO alerts (at, kind, serial, source, account, message) VALUES ($at, $kind, $serial, $source, $account, $message) RETURNING id;";
            insert.Parameters.AddWithValue("$at", Format(at));
            insert.Parameters.AddWithValue("$kind", kind);
            insert.Parameters.AddWithValue("$serial", identity.Serial);
            insert.Parameters.AddWithValue("$source", (object?)source ?? DBNull.Value);
            insert.Parameters.AddWithValue("$account", (object?)account ?? DBNull.Value);
            insert.Parameters.AddWithValue("$message", message);
            id = Convert.ToInt64(insert.ExecuteScalar(), CultureInfo.InvariantCulture);
        }

        var alert = new SecurityAlert(id, at, kind, identity.Serial, source, account, message, null);
        LogAlert(logger, kind, identity.Serial, id);
        foreach (var channel in channels)
        {
            _ = DeliverAsync(channel, alert);
        }
    }

    private async Task DeliverAsync(IAlertChannel channel, SecurityAlert alert)
    {
        try
        {
            await channel.SendAsync(alert, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogChannelFailed(logger, channel.GetType().Name, alert.Id);
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

    private static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset Parse(string at) => DateTimeOffset.Parse(at, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    [LoggerMessage(EventId = 3100, Level = LogLevel.Warning, Message = "Security alert {Kind} raised for device {Serial} (alert {AlertId}).")]
    private static partial void LogAlert(ILogger logger, string kind, string serial, long alertId);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Error, Message = "Alert channel {Channel} failed to deliver alert {AlertId}.")]
    private static partial void LogChannelFailed(ILogger logger, string channel, long alertId);

    private sealed class FailureWindow
    {
        public DateTimeOffset Start { get; set; }

        public int Failures { get; set; }

        public int CountAt(DateTimeOffset now, TimeSpan window) => now - Start <= window ? Failures : 0;
    }
}
