using System.Security.Cryptography;

namespace Iris.Camera.Platform;

/// <summary>
/// Crash-safe file replacement: write a temporary file in the same directory, fsync it, rename it over the
/// target, fsync the directory. After a power cut a reader sees the old file or the new one, never a mix.
/// </summary>
internal static class AtomicFile
{
    public const string TemporaryMarker = ".tmp-";

    /// <summary>Owner read/write only: the mode every file holding key material or sealed data gets.</summary>
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static void Write(string path, ReadOnlySpan<byte> content, UnixFileMode mode = OwnerOnly)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))
            ?? throw new ArgumentException("Path has no directory.", nameof(path));
        var temporary = path + TemporaryMarker + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
            };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = mode;
            }

            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }

        NativeMethods.FsyncDirectory(directory);
    }

    /// <summary>Removes temporary files left by a write that a crash interrupted before its rename.</summary>
    public static int RemoveInterruptedWrites(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return 0;
        }

        var removed = 0;
        foreach (var file in Directory.EnumerateFiles(directory, "*" + TemporaryMarker + "*"))
        {
            TryDelete(file);
            removed++;
        }

        return removed;
    }

    public static void DeleteDurably(string path)
    {
        if (!File.Exists(path))
        {
            return;
        }

        File.Delete(path);
        NativeMethods.FsyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the next start removes leftovers again.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
