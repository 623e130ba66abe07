using Iris.Camera.Storage;

namespace Iris.Camera.Link;

/// <summary>
/// The alert outbox and the paired keys: declared here, and deleted only here. A deleted user's name and addresses
/// leave both (the alerts still go out, the keys stay), like every other holder of account data.
/// </summary>
internal sealed class LinkData(AlertOutbox outbox, PairedKeys keys) : IStoredData, Accounts.IAccountDataHolder
{
    public const string KindId = "alert-outbox";
    public const string KeysKindId = "command-keys";

    public IEnumerable<DataKind> Kinds =>
    [
        new(KindId, "Alerts waiting to be pushed", true,
            "Alerts (kind, time, and sealed: account, source address, message) waiting for the owner's platform while it cannot be reached, so none is lost (5.8.1.1).",
            "Until every configured channel has delivered them; at most Iris:Cloud:OutboxLimit, the oldest dropped and counted beyond it.",
            "All waiting alerts (they are then never pushed).",
            ["link_outbox", "link_counters"], []),
        new(KeysKindId, "Paired command keys", true,
            "Public keys of owner apps allowed to send signed commands, with role, label and the administrator who paired them (sealed); ids of recent commands, so none is carried out twice (5.1.1.3).",
            "Keys until deleted (revoked keys stay listed); command ids until the command expires (at most 5 minutes).",
            "All paired keys (every app must pair again).",
            ["link_keys", "link_seen_commands"], []),
    ];

    public IEnumerable<string> Deletable => [KindId, KeysKindId];

    public int Count(string kindId) => kindId == KeysKindId ? keys.List().Count : outbox.CountAll();

    public int DeleteKind(string kindId, ErasureRequest request) => kindId == KeysKindId ? keys.DeleteAll() : outbox.DeleteAll();

    public void ForgetAccount(string username)
    {
        outbox.Forget(username);
        keys.Forget(username);
    }
}
