using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Connections;

namespace Iris.Camera.Web;

/// <summary>Which network sources the owner is known to use, so connection slots can be kept for them.</summary>
public interface IKnownSourceDirectory
{
    bool IsKnownSource(string sourceKey);
}

/// <summary>
/// Admission of TCP connections before the TLS handshake (a handshake costs the device far more than the client).
/// Each source may hold only a few connections at once; the last slots of the device are kept for sources the
/// owner has signed in from, so one host - or many strangers - cannot lock the owner out.
/// </summary>
internal sealed partial class ConnectionGate(HttpsOptions options, IEnumerable<IKnownSourceDirectory> known, TimeProvider time, ILogger<ConnectionGate> logger)
{
    private readonly ConcurrentDictionary<string, int> _bySource = new(StringComparer.Ordinal);
    private readonly IKnownSourceDirectory[] _known = [.. known];
    private int _total;
    private long _lastRefusalLogTicks;

    public int Open => Volatile.Read(ref _total);

    /// <summary>Admits the connection and returns a lease to dispose when it closes, or null to refuse it.</summary>
    public IDisposable? TryAdmit(IPAddress? remote)
    {
        var source = ClientAddress.Key(remote);
        var isKnown = IsKnown(source);
        var perSource = isKnown ? options.MaxConnectionsPerKnownSource : options.MaxConnectionsPerSource;
        var overall = isKnown ? options.MaxConnections : options.MaxConnections - options.ConnectionsReservedForKnownSources;

        var held = _bySource.AddOrUpdate(source, 1, (_, n) => n + 1);
        var total = Interlocked.Increment(ref _total);
        if (held > perSource || total > overall)
        {
            Release(source);
            LogRefusal(held > perSource ? "per-source limit" : "device limit");
            return null;
        }

        return new Lease(this, source);
    }

    /// <summary>The Kestrel connection middleware: runs before TLS, closes a refused connection at once.</summary>
    public ConnectionDelegate Middleware(ConnectionDelegate next) => async connection =>
    {
        using var lease = TryAdmit((connection.RemoteEndPoint as IPEndPoint)?.Address);
        if (lease is null)
        {
            connection.Abort();
            return;
        }

        await next(connection);
    };

    /// <summary>A loop over an array, not LINQ's Any with a lambda: that allocated a closure and an enumerator per connection.</summary>
    private bool IsKnown(string source)
    {
        foreach (var directory in _known)
        {
            if (directory.IsKnownSource(source))
            {
                return true;
            }
        }

        return false;
    }

    private void Release(string source)
    {
        Interlocked.Decrement(ref _total);
        if (_bySource.AddOrUpdate(source, 0, (_, n) => n - 1) <= 0)
        {
            _bySource.TryRemove(new KeyValuePair<string, int>(source, 0));
        }
    }

    /// <summary>The address is not logged: the daemon log holds no personal data (issue 12); the reason and the rate do.</summary>
    private void LogRefusal(string reason)
    {
        // At most one line a second: a flood must not become a flood of log lines.
        var now = time.GetUtcNow().UtcTicks;
        var last = Interlocked.Read(ref _lastRefusalLogTicks);
        if (now - last >= TimeSpan.TicksPerSecond && Interlocked.CompareExchange(ref _lastRefusalLogTicks, now, last) == last)
        {
            LogRefused(logger, reason);
        }
    }

    [LoggerMessage(EventId = 1200, Level = LogLevel.Warning, Message = "Connections refused ({Reason}); further refusals this second are not logged.")]
    private static partial void LogRefused(ILogger logger, string reason);

    private sealed class Lease(ConnectionGate gate, string source) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release(source);
            }
        }
    }
}
