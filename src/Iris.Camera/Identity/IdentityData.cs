using Iris.Camera.Storage;

namespace Iris.Camera.Identity;

/// <summary>The device identity: what the device is, not who uses it.</summary>
internal sealed class IdentityData : IStoredData
{
    public const string KindId = "device-identity";

    public IEnumerable<DataKind> Kinds =>
    [
        new(KindId, "Device identity and keys", false,
            "The serial number, device certificate, device key, update key and default password (sealed, with its hash): what the device is. While the owner has not set a password and no terminal showed it, the default password also waits in `default-password` (mode 0600). A factory-provisioned device keeps only the hash of its default password; until its first start the station's provisioning package waits in `provisioning/`.",
            "For the life of the device; a factory reset keeps them. `default-password` is deleted once the owner sets a password.",
            "Not deletable; they identify the device, not a person.",
            [], ["identity/*", "vault/device-key.sealed", "vault/device-key-pending.sealed", "provisioning/*"]),
    ];
}
