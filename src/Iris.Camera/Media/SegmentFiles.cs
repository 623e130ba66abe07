using Iris.Camera.Platform;
using Iris.Camera.Storage;

namespace Iris.Camera.Media;

/// <summary>
/// The sealed segment files in <c>DATA/recordings</c> (0700): NAME.seg when complete, NAME.seg.partial while
/// being written. Only whole, sealed records ever reach these files (see <see cref="SegmentFormat"/>); this class
/// knows where they are and how to make them durable, not what is in them.
/// </summary>
internal sealed class SegmentFiles
{
    private const string PartialSuffix = ".partial";

    public SegmentFiles(DataDirectory data)
    {
        Directory = Path.Combine(data.Root, "recordings");
        System.IO.Directory.CreateDirectory(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public string Directory { get; }

    public static string NameFor(ReadOnlySpan<byte> segmentId) => Convert.ToHexStringLower(segmentId) + ".seg";

    public string PartialPath(string file) => Path.Combine(Directory, file + PartialSuffix);

    /// <summary>A new, owner-only NAME.seg.partial to append sealed records to.</summary>
    public FileStream CreatePartial(string file) => new(PartialPath(file), new FileStreamOptions
    {
        Mode = FileMode.CreateNew,
        Access = FileAccess.Write,
        UnixCreateMode = AtomicFile.OwnerOnly,
    });

    /// <summary>The content of a complete segment, or null when its file is missing.</summary>
    public byte[]? ReadComplete(string file)
    {
        try
        {
            return File.ReadAllBytes(Path.Combine(Directory, file));
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The content of an interrupted segment, or null when there is none.</summary>
    public byte[]? ReadPartial(string file) => File.Exists(PartialPath(file)) ? File.ReadAllBytes(PartialPath(file)) : null;

    /// <summary>Cuts a torn tail off an interrupted segment and makes the cut durable.</summary>
    public void TruncatePartial(string file, long length)
    {
        using var stream = new FileStream(PartialPath(file), FileMode.Open, FileAccess.Write);
        stream.SetLength(length);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Renames NAME.seg.partial to NAME.seg and fsyncs the directory, so the rename survives a power cut.</summary>
    public void Promote(string file)
    {
        File.Move(PartialPath(file), Path.Combine(Directory, file), overwrite: true);
        NativeMethods.FsyncDirectory(Directory);
    }

    /// <summary>Removes both forms of one segment's file.</summary>
    public void Delete(string file)
    {
        File.Delete(Path.Combine(Directory, file));
        File.Delete(PartialPath(file));
    }

    /// <summary>Removes every file in the directory (with the index and the key: everything is gone); returns how many.</summary>
    public int DeleteEverything()
    {
        var count = 0;
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory))
        {
            File.Delete(path);
            count++;
        }

        NativeMethods.FsyncDirectory(Directory);
        return count;
    }

    /// <summary>Removes leftovers of interrupted atomic writes and every file whose segment name is not in <paramref name="keep"/>.</summary>
    public void RemoveUnknown(IReadOnlySet<string> keep)
    {
        AtomicFile.RemoveInterruptedWrites(Directory);
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory))
        {
            var name = Path.GetFileName(path);
            var segment = name.EndsWith(PartialSuffix, StringComparison.Ordinal) ? name[..^PartialSuffix.Length] : name;
            if (!keep.Contains(segment))
            {
                File.Delete(path);
            }
        }
    }

    public long AvailableFreeBytes => new DriveInfo(Directory).AvailableFreeSpace;
}
