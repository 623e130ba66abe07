using Iris.Camera.Platform;

namespace Iris.Camera.Storage;

/// <summary>
/// Destroys a file's content where it lies. Unlinking or truncating a file only marks its blocks free: a carver
/// reading the raw device finds the old bytes intact until something else happens to reuse them. Writing zeros
/// over the file's own length through the same file (no rename, no truncate) makes the file system put the zeros
/// in the same blocks (ext4 and other update-in-place file systems do; copy-on-write ones and flash wear levelling
/// may not, see Storage/README.md), and the fsync makes that durable before the name goes.
/// </summary>
internal static class Shredder
{
    private const int Chunk = 64 * 1024;

    /// <summary>Overwrites the whole file with zeros in place, syncs it, then unlinks it and syncs the directory.</summary>
    public static void Destroy(string path)
    {
        if (!File.Exists(path))
        {
            return;
        }

        OverwriteInPlace(path);
        AtomicFile.DeleteDurably(path);
    }

    /// <summary>Destroys every file under <paramref name="directory"/> (recursively), then removes the directory.</summary>
    public static void DestroyDirectory(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            Destroy(file);
        }

        Directory.Delete(directory, recursive: true);
    }

    /// <summary>Overwrites <paramref name="length"/> bytes at <paramref name="offset"/> with zeros in place and syncs the file.</summary>
    public static void OverwriteRange(FileStream stream, long offset, int length)
    {
        stream.Position = offset;
        stream.Write(new byte[length]);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Overwrites the whole file with zeros in place and syncs it; the file stays, with its length.</summary>
    public static void OverwriteInPlace(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
        var zeros = new byte[Chunk];
        var length = stream.Length;
        for (long written = 0; written < length; written += Chunk)
        {
            stream.Write(zeros, 0, (int)Math.Min(Chunk, length - written));
        }

        stream.Flush(flushToDisk: true);
    }
}
