using System.Globalization;
using Iris.Camera.Platform;
using Iris.Camera.Storage;

namespace Iris.Camera.Events;

/// <summary>
/// How long the security log is kept. The section keeps its published name (Iris:Privacy), where owners look
/// for retention periods.
/// </summary>
public sealed class SecurityLogOptions : ISettings, IBoundSettings<SecurityLogOptions>
{
    public const string SectionName = "Iris:Privacy";

    public static SecurityLogOptions? Bind(IConfiguration section) => section.Get<SecurityLogOptions>(SettingsBinding.Strict);

    public TimeSpan SecurityLogRetention { get; set; } = TimeSpan.FromDays(180);

    public IEnumerable<string> Validate()
    {
        if (SecurityLogRetention < TimeSpan.FromDays(1) || SecurityLogRetention > TimeSpan.FromDays(3650))
        {
            yield return $"{SectionName}:SecurityLogRetention must be 1 to 3650 days.";
        }
    }
}

/// <summary>
/// Purges security-log entries and alerts older than the retention period (5.7.1.1), then compacts the database
/// so the purged rows leave no trace in free pages or the journal. The purge is itself logged.
/// </summary>
internal sealed partial class SecurityLogRetention(
    SecurityEventLog events,
    CameraDatabase database,
    SecurityLogOptions options,
    TimeProvider time,
    ILogger<SecurityLogRetention> logger) : BackgroundService
{
    public static readonly TimeSpan PurgeInterval = TimeSpan.FromHours(6);

    public int Purge()
    {
        var removed = events.PurgeBefore(time.GetUtcNow() - options.SecurityLogRetention);
        if (removed > 0)
        {
            database.Compact();
            events.Append(SecurityEventKinds.SecurityLogPurged, null, null,
                $"{removed.ToString(CultureInfo.InvariantCulture)} entries older than {options.SecurityLogRetention.TotalDays.ToString("0", CultureInfo.InvariantCulture)} days");
            LogPurged(logger, removed);
        }

        return removed;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            Purge();
            try
            {
                await Task.Delay(PurgeInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Security log retention: {Count} old entries purged")]
    private static partial void LogPurged(ILogger logger, int count);
}
