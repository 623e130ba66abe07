using System.Runtime.InteropServices;

namespace Iris.Factory.Gate;

/// <summary>What a directory entry is, taken from the entry itself (a link is not followed).</summary>
internal enum FileKind
{
    Regular,
    Directory,
    SymbolicLink,
    Fifo,
    Socket,
    CharacterDevice,
    BlockDevice,
}

/// <summary>
/// .NET tells a FIFO, a socket or a device apart from a regular file only by opening it, and opening a FIFO for
/// reading blocks until a writer comes, so the gate would hang. statx(2) with AT_SYMLINK_NOFOLLOW answers without
/// opening or following; its struct has one layout on every Linux architecture (unlike struct stat).
/// </summary>
internal static partial class FileKinds
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const int StatxSize = 256;
    private const int ModeOffset = 28;

    public static FileKind Of(string path)
    {
        var buffer = new byte[StatxSize];
        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType, buffer) != 0)
        {
            throw new IOException($"'{path}' could not be examined (errno {Marshal.GetLastPInvokeError()}).");
        }

        var mode = BitConverter.ToUInt16(buffer, ModeOffset) & 0xF000;
        return mode switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0xA000 => FileKind.SymbolicLink,
            0x1000 => FileKind.Fifo,
            0xC000 => FileKind.Socket,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            _ => throw new IOException($"'{path}' has an unknown file type ({mode:X4})."),
        };
    }

    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Fifo => "named pipe",
        FileKind.Socket => "socket",
        FileKind.CharacterDevice => "character device",
        FileKind.BlockDevice => "block device",
        _ => kind.ToString(),
    };

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, [Out] byte[] buffer);
}
