using Iris.Camera.Storage;

namespace Iris.Camera.Reset;

/// <summary>What a factory reset leaves on disk while it runs.</summary>
internal sealed class ResetData : IStoredData
{
    public IEnumerable<DataKind> Kinds =>
    [
        new("factory-reset", "Factory reset in progress", false,
            "The reset request and the device's own items staged under the new storage key while a reset runs.",
            "Until the reset finishes (at the next start).",
            "Automatic.",
            [], [FactoryReset.MarkerFile, "keys/storage.key.next", "vault.next/*"]),
    ];
}
