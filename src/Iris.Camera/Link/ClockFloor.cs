using System.Globalization;
using Iris.Camera.Storage;
using Microsoft.Extensions.Logging;

namespace Iris.Camera.Link;

/// <summary>
/// The last known time, kept in the database, under which the link's clock never goes (5.6.1.1). A board without a
/// real-time clock boots after a power cut with a clock in the past (often 1970) until NTP answers; certificate
/// checks against such a clock would call every broker certificate "not yet valid" and the link could never come
/// back to fetch the time. The link's certificate checks use this clock: the system time, or the floor if the
/// system time is behind it. Timers and timestamps are the system's.
/// </summary>
internal sealed partial class ClockFloor(CameraDatabase database, TimeProvider system, ILogger<ClockFloor> logger) : TimeProvider
{
    private const string Counter = "clock-floor";
    private long _floorSeconds = -1;

    public DateTimeOffset Floor => DateTimeOffset.FromUnixTimeSeconds(Math.Max(Load(), 0));

    public override DateTimeOffset GetUtcNow()
    {
        var now = system.GetUtcNow();
        var floor = Floor;
        return now < floor ? floor : now;
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => system.CreateTimer(callback, state, dueTime, period);

    public override long GetTimestamp() => system.GetTimestamp();

    public override long TimestampFrequency => system.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => system.LocalTimeZone;

    /// <summary>Raises the floor to the current time (never lowers it).</summary>
    public void Save()
    {
        var now = GetUtcNow().ToUnixTimeSeconds();
        using var connection = database.OpenConnection();
        DbRows.Execute(connection, """
            INSERT INTO link_counters (name, value) VALUES ($name, $now)
            ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value);
            """, ("$name", Counter), ("$now", now));
        Interlocked.Exchange(ref _floorSeconds, Math.Max(Interlocked.Read(ref _floorSeconds), now));
    }

    /// <summary>Says so when the system clock starts behind the floor (a board without a real-time clock after a power cut).</summary>
    public void CheckAtStart()
    {
        if (system.GetUtcNow() < Floor)
        {
            LogClockBehind(logger, system.GetUtcNow().ToString("O", CultureInfo.InvariantCulture), Floor.ToString("O", CultureInfo.InvariantCulture));
        }
    }

    private long Load()
    {
        var known = Interlocked.Read(ref _floorSeconds);
        if (known >= 0)
        {
            return known;
        }

        using var connection = database.OpenConnection();
        var stored = Convert.ToInt64(DbRows.Scalar(connection, "SELECT coalesce((SELECT value FROM link_counters WHERE name = $name), 0);", ("$name", Counter)), CultureInfo.InvariantCulture);
        Interlocked.CompareExchange(ref _floorSeconds, stored, -1);
        return Interlocked.Read(ref _floorSeconds);
    }

    [LoggerMessage(EventId = 7030, Level = LogLevel.Warning, Message = "System clock {Now} is behind the last known time {Floor}; certificate checks use the last known time until the clock catches up.")]
    private static partial void LogClockBehind(ILogger logger, string now, string floor);
}

/// <summary>Keeps the floor close to the real time: at start, every ten minutes, and at a clean stop.</summary>
internal sealed class ClockFloorKeeper(ClockFloor floor, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        floor.CheckAtStart();
        while (!stoppingToken.IsCancellationRequested)
        {
            floor.Save();
            try
            {
                await Task.Delay(TimeSpan.FromMinutes(10), time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        floor.Save();
    }
}
