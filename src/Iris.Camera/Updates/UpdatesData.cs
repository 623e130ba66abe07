using Iris.Camera.Storage;

namespace Iris.Camera.Updates;

/// <summary>The update key belongs with the device's keys; trusted metadata and partial downloads with its settings.</summary>
internal sealed class UpdatesData : IStoredData
{
    public IEnumerable<DataLocation> Locations =>
    [
        new("device-identity", [], ["vault/update-key.sealed"]),
        new("settings", [], ["updates/trusted/*.json", "updates/download/*.irfw"]),
    ];
}
