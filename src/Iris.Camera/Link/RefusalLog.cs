using Iris.Camera.Events;

namespace Iris.Camera.Link;

/// <summary>
/// Writes refused remote commands (signed envelopes, pairing requests, Home Assistant's topics) to the security log
/// within a budget: whoever may publish on those topics could otherwise grow the log (each record fsynced, chained
/// and signed) as fast as the broker forwards. At most <see cref="PerMinute"/> records a minute; the refusals beyond
/// are counted and the next record says how many were not written one by one. Fields that come from the message
/// (key id, command id, topic) are cut to a bounded length.
/// </summary>
internal sealed class RefusalLog(SecurityEventLog log, TimeProvider time)
{
    public const int PerMinute = 20;
    private const int DetailLength = 200;
    private const int AccountLength = 64;
    private readonly Lock _lock = new();
    private DateTimeOffset _windowStart = DateTimeOffset.MinValue;
    private int _inWindow;
    private long _notWritten;

    /// <summary>False when the record was only counted (the budget of this minute is spent).</summary>
    public bool Append(string source, string? account, string detail)
    {
        long notWritten;
        lock (_lock)
        {
            var now = time.GetUtcNow();
            if (now - _windowStart >= TimeSpan.FromMinutes(1))
            {
                _windowStart = now;
                _inWindow = 0;
            }

            if (_inWindow >= PerMinute)
            {
                _notWritten++;
                return false;
            }

            _inWindow++;
            notWritten = _notWritten;
            _notWritten = 0;
        }

        var text = Bound(detail, DetailLength) + (notWritten > 0 ? $" ({notWritten} more refused before this one, over the limit of {PerMinute} records a minute)" : "");
        log.Append(RemoteCommands.RefusedKind, source, Bound(account, AccountLength), text);
        return true;
    }

    public static string? Bound(string? value, int length) => value is null || value.Length <= length ? value : value[..length] + "…";
}
