using Iris.Camera.Storage;

namespace Iris.Camera.Vault;

/// <summary>The file provider's storage key belongs with the device's own keys.</summary>
internal sealed class VaultData : IStoredData
{
    public IEnumerable<DataLocation> Locations => [new("device-identity", [], ["keys/storage.key"])];
}
