using System.Runtime.InteropServices;

namespace Iris.Camera.Platform;

/// <summary>The few libc calls .NET has no managed API for: directory fsync and in-place re-execution.</summary>
internal static partial class NativeMethods
{
    // O_RDONLY | O_CLOEXEC; both have the same value on x86_64 and aarch64 Linux.
    private const int OpenReadOnlyCloseOnExec = 0x80000;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "execve", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Execve(string path, string?[] argv, string?[] envp);

    /// <summary>Flushes a directory entry table so that a completed rename survives a power cut.</summary>
    public static void FsyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var fd = Open(directory, OpenReadOnlyCloseOnExec);
        if (fd < 0)
        {
            throw new IOException($"Cannot open directory '{directory}' for fsync (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory '{directory}' failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>Replaces the current process image. Returns only on failure, with the errno.</summary>
    public static int ExecuteInPlace(string path, IReadOnlyList<string> argv, IReadOnlyList<string> environment)
    {
        var argArray = new string?[argv.Count + 1];
        for (var i = 0; i < argv.Count; i++)
        {
            argArray[i] = argv[i];
        }

        var envArray = new string?[environment.Count + 1];
        for (var i = 0; i < environment.Count; i++)
        {
            envArray[i] = environment[i];
        }

        _ = Execve(path, argArray, envArray);
        return Marshal.GetLastPInvokeError();
    }
}
