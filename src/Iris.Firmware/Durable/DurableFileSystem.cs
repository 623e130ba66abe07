using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Iris.Firmware.Durable;

/// <summary>
/// Every write an installer or the slot record makes goes through this seam, so the power-loss suite can stop
/// the machine after any one of them (see <c>PowerCutFileSystem</c> in the tests).
/// </summary>
public interface IDurableFileSystem
{
    /// <summary>Creates (or truncates) a file for writing.</summary>
    Stream Create(string path, UnixFileMode mode);

    /// <summary>Opens an existing file or block device for writing in place, without truncating.</summary>
    Stream OpenForOverwrite(string path);

    /// <summary>fsync: the file's data reaches the medium.</summary>
    void Flush(Stream stream);

    void CreateDirectory(string path);

    void DeleteTree(string path);

    void Rename(string source, string destination);

    /// <summary>fsync of a directory, so that creations, renames and deletions in it survive a power cut.</summary>
    void FlushDirectory(string path);
}

/// <summary>The real file system.</summary>
public sealed partial class DiskFileSystem : IDurableFileSystem
{
    public static readonly DiskFileSystem Instance = new();

    public Stream Create(string path, UnixFileMode mode) =>
        new FileStream(path, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None, UnixCreateMode = mode, BufferSize = 0 });

    public Stream OpenForOverwrite(string path) =>
        new FileStream(path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.ReadWrite, Share = FileShare.None, BufferSize = 0 });

    public void Flush(Stream stream)
    {
        if (stream is FileStream file)
        {
            file.Flush(flushToDisk: true);
        }
        else
        {
            stream.Flush();
        }
    }

    public void CreateDirectory(string path) => Directory.CreateDirectory(path);

    public void DeleteTree(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
        else if (File.Exists(path))
        {
            File.Delete(path);
        }
    }

    public void Rename(string source, string destination)
    {
        if (Directory.Exists(source))
        {
            Directory.Move(source, destination);
        }
        else
        {
            File.Move(source, destination, overwrite: true);
        }
    }

    public void FlushDirectory(string path)
    {
        var fd = Open(path, 0x80000 /* O_RDONLY | O_CLOEXEC */);
        if (fd < 0)
        {
            throw new IOException($"Cannot open directory '{path}' for fsync (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory '{path}' failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}

/// <summary>write → fsync → rename → fsync the directory, through any <see cref="IDurableFileSystem"/>.</summary>
public static class DurableFile
{
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static void WriteAtomically(IDurableFileSystem fs, string path, ReadOnlySpan<byte> content, UnixFileMode mode = OwnerOnly)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temporary = $"{path}.tmp-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        using (var stream = fs.Create(temporary, mode))
        {
            stream.Write(content);
            fs.Flush(stream);
        }

        fs.Rename(temporary, path);
        fs.FlushDirectory(directory);
    }
}
