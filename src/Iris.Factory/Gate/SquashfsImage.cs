using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Iris.Factory.Gate;

/// <summary>
/// Squashfs images are unpacked by Debian's squashfs-tools (unsquashfs) into an owner-only scratch directory and the
/// regular files it lists are scanned; devices, pipes and links hold no content and are not opened. An image found
/// inside an archive is first copied to the scratch directory (unsquashfs needs a file). Disk use is the unpacked
/// size; memory stays bounded.
/// </summary>
internal static partial class SquashfsImage
{
    public static void Scan(Stream content, string? filePath, string name, HostAllowList hosts, GateReport report, int windowBytes, int depth)
    {
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

            var unpacked = Path.Combine(scratch.FullName, "root");
            var listing = Run("-lln", "-no-progress", image);
            Run("-no-progress", "-quiet", "-no-xattrs", "-d", unpacked, image);
            foreach (var line in listing.Split('\n').Order(StringComparer.Ordinal))
            {
                if (RegularFile().Match(line) is { Success: true } file)
                {
                    var relative = file.Groups["path"].Value;
                    using var stream = new FileStream(Path.Combine(unpacked, relative), FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
                    ReleaseGate.ScanEntry(stream, $"{name}!{relative}", null, hosts, report, windowBytes, depth + 1, stream.Length);
                }
            }
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    private static string Run(params string[] arguments)
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
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidDataException($"unsquashfs failed ({process.ExitCode}): {error.Result.Trim()}");
    }

    /// <summary>A regular file in <c>unsquashfs -lln</c> output: mode, owner, size, date, time, then squashfs-root/PATH.</summary>
    [GeneratedRegex(@"^-\S+\s+\S+\s+\d+\s+\S+\s+\S+\s+squashfs-root/(?<path>.+)$", RegexOptions.CultureInvariant)]
    private static partial Regex RegularFile();
}
