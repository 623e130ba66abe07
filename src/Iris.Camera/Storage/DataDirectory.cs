using Iris.Camera.Platform;

namespace Iris.Camera.Storage;

/// <summary>The daemon's data directory and the fixed layout inside it.</summary>
internal sealed class DataDirectory
{
    private DataDirectory(string root) => Root = root;

    public string Root { get; }

    public string StorageKeyFile => Path.Combine(Root, "keys", "storage.key");

    public string VaultDirectory => Path.Combine(Root, "vault");

    public string IdentityDirectory => Path.Combine(Root, "identity");

    public string DatabaseFile => Path.Combine(Root, "iris.db");

    /// <summary>Trusted update metadata and partial downloads (encrypted bundles only).</summary>
    public string UpdatesDirectory => Path.Combine(Root, "updates");

    /// <summary>Creates the directory (mode 0700) if needed and proves it can be written and synced.</summary>
    public static DataDirectory Open(string path)
    {
        var root = Path.GetFullPath(path);
        try
        {
            if (File.Exists(root))
            {
                throw new StartupException($"Data directory '{root}' is a file, not a directory.", StartupException.ConfigurationError);
            }

            Directory.CreateDirectory(root, OwnerOnlyDirectory);
            RestrictToOwner(root);
            var probe = Path.Combine(root, ".write-probe");
            AtomicFile.Write(probe, "ok"u8);
            File.Delete(probe);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"Data directory '{root}' is not usable: {ex.GetType().Name}.", ex, StartupException.ConfigurationError);
        }

        return new DataDirectory(root);
    }

    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Tightens whatever an older version or another tool left looser than owner-only: directories to 0700,
    /// files to at most 0600. New files are owner-only through the process's file-creation mask.
    /// </summary>
    private static void RestrictToOwner(string root)
    {
        File.SetUnixFileMode(root, OwnerOnlyDirectory);
        foreach (var entry in new DirectoryInfo(root).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
        {
            if (entry.LinkTarget is not null)
            {
                continue;
            }

            var allowed = entry is DirectoryInfo ? OwnerOnlyDirectory : OwnerOnlyFile;
            try
            {
                if ((entry.UnixFileMode & ~allowed) != 0)
                {
                    entry.UnixFileMode &= allowed;
                }
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                // Gone since it was listed (SQLite removes its -shm and -wal files on close): nothing to tighten.
            }
        }
    }

    /// <summary>Every file under the data directory, relative and with '/' (for the stored-data inventory check).</summary>
    public IReadOnlyList<string> ListFiles() =>
    [
        .. Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Root, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal),
    ];
}
