using System.Collections.Concurrent;

namespace Iris.Camera.Web;

/// <summary>
/// The device log's record of requests refused as malformed. A client's mistake is not a device fault: it gets one
/// short line (no stack trace, no request content), and at most one line a second per kind, the next line saying
/// how many were held back, so a flood of bad requests cannot become a flood of log lines. The client's address is
/// not logged: the daemon log is kept outside the personal-data inventory, so it holds no personal data (issue 12).
/// </summary>
internal sealed partial class ClientFaultLog(TimeProvider time, ILogger<ClientFaultLog> logger)
{
    // Kinds are problem types and HTTP status codes, a small fixed set: this never grows with the input.
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);

    /// <param name="kind">A fixed name for what was wrong (a problem type), never text from the request.</param>
    /// <param name="where">The route pattern the request matched, or where in the server it was refused.</param>
    public void Record(string kind, int status, string where)
    {
        var window = _windows.GetOrAdd(kind, static _ => new Window());
        var now = time.GetUtcNow().UtcTicks;
        long heldBack;
        lock (window)
        {
            if (window.HasLogged && now - window.LastTicks < TimeSpan.TicksPerSecond)
            {
                window.HeldBack++;
                return;
            }

            heldBack = window.HeldBack;
            window.HeldBack = 0;
            window.LastTicks = now;
            window.HasLogged = true;
        }

        if (heldBack == 0)
        {
            LogRefused(logger, kind, status, where);
        }
        else
        {
            LogRefusedAfterHeldBack(logger, kind, status, where, heldBack);
        }
    }

    [LoggerMessage(EventId = 1210, Level = LogLevel.Information, Message = "Refused a malformed request ({Where}): {Kind}, {Status}.")]
    private static partial void LogRefused(ILogger logger, string kind, int status, string where);

    [LoggerMessage(EventId = 1211, Level = LogLevel.Information,
        Message = "Refused a malformed request ({Where}): {Kind}, {Status}. {HeldBack} more of this kind since the last line were not logged.")]
    private static partial void LogRefusedAfterHeldBack(ILogger logger, string kind, int status, string where, long heldBack);

    private sealed class Window
    {
        public bool HasLogged;
        public long LastTicks;
        public long HeldBack;
    }
}
