using System.Runtime.InteropServices;

namespace Iris.Camera.Platform;

/// <summary>The few libc calls .NET has no managed API for: directory fsync (in Iris.Firmware), the file-creation mask, the malloc arena limit, a thread's scheduling priority and in-place re-execution.</summary>
internal static partial class NativeMethods
{
    [LibraryImport("libc", EntryPoint = "execve", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Execve(string path, string?[] argv, string?[] envp);

    [LibraryImport("libc", EntryPoint = "umask")]
    private static partial uint Umask(uint mask);

    /// <summary>
    /// Makes every file and directory the process creates from now on owner-only (0600 / 0700), whatever umask
    /// it was started with: the database, its journal, identity files and recordings are never group- or
    /// world-readable, even for a moment.
    /// </summary>
    public static void RestrictNewFilesToOwner() => _ = Umask(0b000_111_111);

    /// <summary>glibc's M_ARENA_MAX (malloc.h); musl has no arenas and ignores it.</summary>
    private const int MallocArenaMax = -8;

    /// <summary>The environment variable glibc reads for the same limit; an operator who sets it keeps their value.</summary>
    private const string MallocArenaMaxVariable = "MALLOC_ARENA_MAX";

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int Mallopt(int parameter, int value);

    /// <summary>
    /// At most two malloc arenas. By default glibc gives threads that meet contention their own arena, up to eight
    /// per core, each keeping its freed memory; OpenSSL, SQLite and ICU allocate from thread-pool threads, so the
    /// idle daemon held 4-8 MiB in arenas next to the main heap. Two keep one handshake from waiting on another's
    /// allocation on a two-core board (docs/benchmarks.md, issue 18).
    /// </summary>
    public static void LimitMallocArenas()
    {
        if (OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable(MallocArenaMaxVariable) is null)
        {
            _ = Mallopt(MallocArenaMax, 2);
        }
    }

    private const int PrioProcess = 0;
    private const int MaxNice = 19;

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();

    [LibraryImport("libc", EntryPoint = "getpriority")]
    private static partial int GetPriority(int which, int who);

    [LibraryImport("libc", EntryPoint = "setpriority")]
    private static partial int SetPriority(int which, int who, int priority);

    /// <summary>Raises the calling thread's nice value by <paramref name="steps"/> (at most to 19).</summary>
    public static void LowerCurrentThreadPriority(int steps)
    {
        if (OperatingSystem.IsLinux())
        {
            // Linux schedules threads as tasks with a nice value each (setpriority on the thread id); .NET's
            // Thread.Priority does nothing there. Raising one's own nice value needs no privilege. Relative to the
            // nice value inherited from the daemon, so a daemon started niced keeps the same gap.
            var thread = GetThreadId();
            var inherited = GetPriority(PrioProcess, thread);
            _ = SetPriority(PrioProcess, thread, Math.Min(MaxNice, inherited + steps));
        }
        else
        {
            Thread.CurrentThread.Priority = ThreadPriority.BelowNormal;
        }
    }

    /// <summary>Flushes a directory entry table so that a completed rename survives a power cut (one implementation, shared with the updater).</summary>
    public static void FsyncDirectory(string directory)
    {
        if (OperatingSystem.IsLinux())
        {
            Iris.Firmware.Durable.DiskFileSystem.Instance.FlushDirectory(directory);
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
