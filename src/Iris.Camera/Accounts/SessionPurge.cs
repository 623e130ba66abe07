namespace Iris.Camera.Accounts;

/// <summary>Purges expired sessions at start and then every <see cref="Interval"/> (the clock is the app's TimeProvider).</summary>
internal sealed partial class SessionPurge(SessionStore sessions, TimeProvider time, ILogger<SessionPurge> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                var removed = sessions.PurgeExpired();
                if (removed > 0)
                {
                    LogPurged(logger, removed);
                }
            }
            catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or InvalidOperationException)
            {
                // A busy database is tried again at the next tick; the daemon keeps serving.
                LogFailed(logger, ex.GetType().Name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(EventId = 2130, Level = LogLevel.Information, Message = "Purged {Count} expired session(s).")]
    private static partial void LogPurged(ILogger logger, int count);

    [LoggerMessage(EventId = 2131, Level = LogLevel.Warning, Message = "Purging expired sessions failed ({Error}); tried again in five minutes.")]
    private static partial void LogFailed(ILogger logger, string error);
}
