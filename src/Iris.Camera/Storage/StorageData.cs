namespace Iris.Camera.Storage;

/// <summary>What the storage module itself keeps: the database files, settings and boot log, and interrupted writes.</summary>
internal sealed class StorageData : IStoredData
{
    public IEnumerable<DataKind> Kinds =>
    [
        new("settings", "Device settings", false,
            "Video source and size (the stream address sealed, as it may hold a password), recording mode, motion, privacy mode, update state.",
            "Until changed or factory reset.",
            "Factory reset.",
            ["settings", "boot_log"], ["iris.db", "iris.db-wal", "iris.db-shm"]),
        new("transient", "Interrupted writes", false,
            "Temporary files of a write a crash interrupted.",
            "Removed at the next start.",
            "Automatic.",
            ["storage_scrub"], ["*.tmp-*", "*/*.tmp-*", "*/*/*.tmp-*", "*.partial", "*/*.partial"]),
    ];
}
