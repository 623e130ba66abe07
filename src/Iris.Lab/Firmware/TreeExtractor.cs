using System.Formats.Tar;
using System.Globalization;
using System.Text;
using Iris.Factory.Gate;

namespace Iris.Lab.Firmware;

/// <summary>
/// Unpacks tar and cpio (newc) archives found in an image into a scratch directory, within the carve budget. Only
/// directories and regular files are made; a link, device or FIFO becomes an empty regular file of its name (the
/// release gate still sees the name, e.g. a telnetd applet link), so nothing written later can go through a link
/// out of the scratch directory, and a name with ".." in it is not unpacked at all.
/// </summary>
internal static class TreeExtractor
{
    /// <summary>Unpacks the tar archive starting at <paramref name="offset"/>; returns the bytes it took, and whether the budget held.</summary>
    public static (long Consumed, bool Complete) Tar(string image, long offset, string target, CarveBudget budget)
    {
        using var stream = Open(image, offset);
        var complete = true;
        try
        {
            using var tar = new TarReader(stream, leaveOpen: true);
            while (tar.GetNextEntry(copyData: false) is { } entry)
            {
                var regular = entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile;
                if (!Write(target, entry.Name, entry.EntryType == TarEntryType.Directory, regular ? entry.DataStream : null, regular ? entry.Length : 0, budget))
                {
                    complete = false;
                    break;
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException)
        {
            // The archive ends in padding or garbage (a flash partition's 0xFF tail): what came before is kept.
        }

        return (stream.Position - offset, complete);
    }

    /// <summary>Unpacks the cpio newc archive (an initramfs) starting at <paramref name="offset"/>.</summary>
    public static (long Consumed, bool Complete) Cpio(string image, long offset, string target, CarveBudget budget)
    {
        using var stream = Open(image, offset);
        var header = new byte[110];
        try
        {
            while (true)
            {
                stream.ReadExactly(header);
                if (!header.AsSpan(0, 5).SequenceEqual("07070"u8))
                {
                    break;
                }

                var mode = Hex(header, 1);
                var size = Hex(header, 6);
                var nameSize = (int)Hex(header, 11);
                if (nameSize is < 1 or > 4096)
                {
                    break;
                }

                var name = new byte[nameSize];
                stream.ReadExactly(name);
                Align(stream, offset);
                var entryName = Encoding.UTF8.GetString(name, 0, nameSize - 1);
                if (entryName == "TRAILER!!!")
                {
                    break;
                }

                var end = stream.Position + size;
                var type = mode & 0xF000;
                using (var data = new LimitedStream(stream, size))
                {
                    if (!Write(target, entryName, type == 0x4000, type == 0x8000 ? data : null, type == 0x8000 ? size : 0, budget))
                    {
                        return (stream.Position - offset, false);
                    }
                }

                stream.Position = end;
                Align(stream, offset);
            }
        }
        catch (Exception e) when (e is EndOfStreamException or FormatException)
        {
            // A truncated archive: the entries before the cut are kept.
        }

        return (stream.Position - offset, true);
    }

    /// <summary>Regular files and directories under <paramref name="root"/>, entered without following any link.</summary>
    public static IEnumerable<string> Files(string root)
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(root).Order(StringComparer.Ordinal))
        {
            switch (FileKinds.Of(entry))
            {
                case FileKind.Directory:
                    foreach (var file in Files(entry))
                    {
                        yield return file;
                    }

                    break;
                case FileKind.Regular:
                    yield return entry;
                    break;
            }
        }
    }

    /// <summary>
    /// Gives the lab's user read access to every unpacked file and full access to every directory (a squashfs may
    /// hold 0500 directories and 0000 files), so everything can be scanned and the scratch directory deleted.
    /// </summary>
    public static void MakeReadable(string root)
    {
        File.SetUnixFileMode(root, File.GetUnixFileMode(root) | UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        foreach (var entry in Directory.EnumerateFileSystemEntries(root))
        {
            switch (FileKinds.Of(entry))
            {
                case FileKind.Directory:
                    MakeReadable(entry);
                    break;
                case FileKind.Regular:
                    File.SetUnixFileMode(entry, File.GetUnixFileMode(entry) | UnixFileMode.UserRead | UnixFileMode.UserWrite);
                    break;
            }
        }
    }

    private static FileStream Open(string image, long offset)
    {
        var stream = new FileStream(image, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        stream.Position = offset;
        return stream;
    }

    /// <summary>Writes one entry; false only when the budget ran out. Entries that cannot be placed are skipped.</summary>
    private static bool Write(string target, string name, bool directory, Stream? data, long size, CarveBudget budget)
    {
        var parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToArray();
        if (parts.Length == 0 || parts.Contains(".."))
        {
            return true;
        }

        var path = Path.Combine([target, .. parts]);
        try
        {
            if (directory)
            {
                Directory.CreateDirectory(path);
                return true;
            }

            if (size > budget.Left)
            {
                return false;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var output = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
            return data is null || budget.CopyBounded(data, output);
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            // A name that collides with a file where a directory should be (a link made into a file), is too long,
            // or holds a NUL (a cpio name may): that entry is skipped, the rest of the archive is not.
            return true;
        }
    }

    private static void Align(Stream stream, long start)
    {
        var padding = (int)((4 - ((stream.Position - start) % 4)) % 4);
        stream.Position += padding;
    }

    private static long Hex(byte[] header, int field) =>
        long.Parse(header.AsSpan(6 + (field * 8), 8), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
}
