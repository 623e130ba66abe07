using Iris.Camera.Events;

namespace Iris.Camera.Accounts;

/// <summary>Why a sign-in step was refused before any password was checked.</summary>
internal enum LoginRefusal
{
    /// <summary>A source asked for nonces faster than its share.</summary>
    NonceRate,

    /// <summary>A source presented more nonces than it can have been issued (a flood of forged or stolen ones).</summary>
    NonceFlood,

    /// <summary>No turn at the password check for an unfamiliar source in time.</summary>
    Busy,
}

/// <summary>
/// Records refused sign-in steps without letting a flood turn each refusal into a disk write or a log line:
/// per kind of refusal, at most one security event ("login-refused") and one warning per interval, carrying
/// how many were refused since the last one, from how many sources, and which source sent the most.
/// The first refusal after a quiet interval is written at once. Nothing refused goes uncounted.
/// </summary>
internal sealed partial class LoginRefusals(SecurityEventLog events, TimeProvider time, ILogger<LoginRefusals> logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);
    private const int TrackedSources = 1_000;
    private readonly Lock _lock = new();
    private readonly Dictionary<LoginRefusal, Window> _windows = [];

    public void Refused(string source, LoginRefusal reason)
    {
        var now = time.GetUtcNow();
        Summary? due = null;
        lock (_lock)
        {
            if (!_windows.TryGetValue(reason, out var window))
            {
                window = new Window();
                _windows[reason] = window;
            }

            window.Add(source);
            if (now - window.LastWritten >= Interval)
            {
                due = window.Take(reason);
                window.LastWritten = now;
            }
        }

        if (due is { } summary)
        {
            Write(summary);
        }
    }

    /// <summary>Writes the counts still pending (when the daemon stops).</summary>
    public void Flush()
    {
        List<Summary> pending;
        lock (_lock)
        {
            pending = _windows.Where(w => w.Value.Count > 0).Select(w => w.Value.Take(w.Key)).ToList();
        }

        foreach (var summary in pending)
        {
            Write(summary);
        }
    }

    private void Write(Summary summary)
    {
        var what = summary.Reason switch
        {
            LoginRefusal.NonceRate => "nonce request(s) over the per-source limit",
            LoginRefusal.NonceFlood => "sign-in(s) with more nonces than the source was given",
            _ => "sign-in(s) from unfamiliar sources refused as busy",
        };
        var sources = summary.MoreSources ? $"more than {TrackedSources}" : summary.Sources.ToString(System.Globalization.CultureInfo.InvariantCulture);
        events.Append(SecurityEventKinds.LoginRefused, summary.TopSource, null,
            $"{summary.Count} {what} refused from {sources} source(s); most from {summary.TopSource} ({summary.TopCount})");
        // The addresses stay in the security log, which the inventory, retention and deletion cover; the daemon log
        // (journald, outside them) gets counts only.
        LogRefused(logger, summary.Count, what, sources);
    }

    [LoggerMessage(EventId = 2120, Level = LogLevel.Warning,
        Message = "Refused {Count} {What} from {Sources} source(s); the security log names them.")]
    private static partial void LogRefused(ILogger logger, int count, string what, string sources);

    private sealed record Summary(LoginRefusal Reason, int Count, int Sources, bool MoreSources, string TopSource, int TopCount);

    private sealed class Window
    {
        private readonly Dictionary<string, int> _bySource = new(StringComparer.Ordinal);
        private bool _moreSources;

        public int Count { get; private set; }

        public DateTimeOffset LastWritten { get; set; } = DateTimeOffset.MinValue;

        public void Add(string source)
        {
            Count++;
            if (_bySource.TryGetValue(source, out var count))
            {
                _bySource[source] = count + 1;
            }
            else if (_bySource.Count < TrackedSources)
            {
                _bySource[source] = 1;
            }
            else
            {
                _moreSources = true;
            }
        }

        public Summary Take(LoginRefusal reason)
        {
            var top = _bySource.MaxBy(s => s.Value);
            var summary = new Summary(reason, Count, _bySource.Count, _moreSources, top.Key ?? "unknown", top.Value);
            Count = 0;
            _bySource.Clear();
            _moreSources = false;
            return summary;
        }
    }
}
