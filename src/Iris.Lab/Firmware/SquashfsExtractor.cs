using System.Diagnostics;
using System.Globalization;

namespace Iris.Lab.Firmware;

/// <summary>
/// Unpacks a squashfs image with Debian's unsquashfs (squashfs-tools), after its listing shows the files fit the
/// carve budget: a few kilobytes of squashfs can claim gigabytes of zeros, and unsquashfs itself has no bound.
/// </summary>
internal static class SquashfsExtractor
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    /// <summary>Null when unpacked; otherwise why not (over budget, unsquashfs missing or failing).</summary>
    public static string? Extract(string image, string target, CarveBudget budget)
    {
        var (listed, listing) = Run("-lln", "-no-progress", image);
        if (listed != 0)
        {
            return $"unsquashfs could not read it ({listing.Trim().Split('\n')[^1]})";
        }

        // "-rw-r--r-- 0/0   1234 2024-01-01 00:00 squashfs-root/etc/passwd": regular files only, size third. A
        // name holding a newline adds a line, never hides one, so the sum is never below the real size.
        long total = 0;
        foreach (var line in listing.Split('\n'))
        {
            var fields = line.Split(' ', 4, StringSplitOptions.RemoveEmptyEntries);
            if (line.StartsWith('-') && fields.Length >= 3 && long.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
            {
                total = checked(total + size);
            }
        }

        if (!budget.TryTake(total))
        {
            return $"its files add up to {total} bytes, more than the {budget.Left} bytes left of the unpacking bound (a decompression bomb?); not unpacked";
        }

        var (code, output) = Run("-no-progress", "-quiet", "-no-xattrs", "-d", target, image);
        if (Directory.Exists(target))
        {
            TreeExtractor.MakeReadable(target);
        }

        return code == 0 ? null : $"unsquashfs failed ({code}): {output.Trim().Split('\n')[^1]}";
    }

    private static (int Code, string Output) Run(params string[] arguments)
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
        catch (System.ComponentModel.Win32Exception)
        {
            return (-1, "unsquashfs is not installed (Debian package squashfs-tools)");
        }

        using var process = started ?? throw new InvalidOperationException("unsquashfs could not be started.");
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"unsquashfs took longer than {Timeout.TotalMinutes} minutes");
        }

        return (process.ExitCode, output.Result + error.Result);
    }
}
