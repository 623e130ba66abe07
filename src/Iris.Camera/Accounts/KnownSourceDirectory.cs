using System.Collections.Frozen;
using Iris.Camera.Storage;
using Iris.Camera.Web;

namespace Iris.Camera.Accounts;

/// <summary>
/// The sources any account has signed in from, for the connection gate. It is asked for every new connection, so
/// it answers from a snapshot of the table that is at most <see cref="MaxAge"/> old (a new source is usable for
/// the reserved slots a few seconds after its first login).
/// </summary>
internal sealed class KnownSourceDirectory(CameraDatabase database, TimeProvider time) : IKnownSourceDirectory
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);

    private readonly Lock _refresh = new();
    private (FrozenSet<string> Sources, DateTimeOffset ReadAt)? _snapshot;

    public bool IsKnown(string sourceKey)
    {
        var now = time.GetUtcNow();
        var snapshot = _snapshot;
        if (snapshot is null || now - snapshot.Value.ReadAt > MaxAge)
        {
            lock (_refresh)
            {
                snapshot = _snapshot;
                if (snapshot is null || now - snapshot.Value.ReadAt > MaxAge)
                {
                    using var connection = database.OpenConnection();
                    snapshot = (DbRows.Query(connection, "SELECT DISTINCT source FROM known_sources;", r => r.GetString(0)).ToFrozenSet(StringComparer.Ordinal), now);
                    _snapshot = snapshot;
                }
            }
        }

        return snapshot.Value.Sources.Contains(sourceKey);
    }
}
