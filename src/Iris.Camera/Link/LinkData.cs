using Iris.Camera.Storage;

namespace Iris.Camera.Link;

/// <summary>The alert outbox: declared here, and deleted only here.</summary>
internal sealed class LinkData(AlertOutbox outbox) : IStoredData
{
    public const string KindId = "alert-outbox";

    public IEnumerable<DataKind> Kinds =>
    [
        new(KindId, "Alerts waiting to be pushed", true,
            "Alerts (kind, time, source address, message) waiting for the owner's platform while it cannot be reached, so none is lost (5.8.1.1).",
            "Until every configured channel has delivered them; at most Iris:Cloud:OutboxLimit, the oldest dropped and counted beyond it.",
            "All waiting alerts (they are then never pushed).",
            ["link_outbox", "link_counters"], []),
    ];

    public IEnumerable<string> Deletable => [KindId];

    public int Count(string kindId) => outbox.CountAll();

    public int DeleteKind(string kindId, ErasureRequest request) => outbox.DeleteAll();
}
