using System.Diagnostics;

namespace Iris.Factory.Gate;

/// <summary>
/// Squashfs images are unpacked by Debian's squashfs-tools (unsquashfs) into an owner-only (0700) scratch directory,
/// deleted afterwards, and walked by <see cref="ReleaseGate.ScanDirectory"/>: links and special files are reported,
/// never followed or opened. An image found inside an archive is first copied to the scratch directory (unsquashfs
/// needs a file). Disk use is the unpacked size; memory stays bounded.
/// </summary>
internal static class SquashfsImage
{
    public static void Scan(Stream content, string? filePath, string name, HostAllowList hosts, GateReport report, int windowBytes, int depth)
    {
        // mkdtemp(3): mode 0700, so no other user reads the unpacked image or swaps a file in it while it is scanned.
        var scratch = Directory.CreateTempSubdirectory("iris-gate-");
        try
        {
            var image = filePath;
            if (image is null)
            {
                image = Path.Combine(scratch.FullName, "image.squashfs");
                using var copy = new FileStream(image, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
                content.CopyTo(copy);
            }

            // Unpacked and walked like any tree, not read from a `-lln` listing: the listing is one line per file,
            // so a name holding a newline ("etc/app.conf\nx") was split into two names, one never read and the other
            // scanned twice. The file system's own directory entries cannot be confused that way.
            var unpacked = Path.Combine(scratch.FullName, "root");
            Run("-no-progress", "-quiet", "-no-xattrs", "-d", unpacked, image);
            ReleaseGate.ScanDirectory(unpacked, name + "!", hosts, report, windowBytes, depth + 1);
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    private static void Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("unsquashfs") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process? started;
        try
        {
            started = Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("unsquashfs could not be started (install squashfs-tools).", e);
        }

        using var process = started ?? throw new InvalidOperationException("unsquashfs could not be started (install squashfs-tools).");
        var error = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidDataException($"unsquashfs failed ({process.ExitCode}): {error.Result.Trim()}");
        }
    }
}
