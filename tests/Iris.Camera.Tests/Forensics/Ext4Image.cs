using System.Diagnostics;
using Iris.Camera.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Iris.Camera.Tests.Forensics;

/// <summary>
/// A small ext4 file system made by the test in an image file and loop-mounted, so the camera's data directory
/// lives on a real block device whose raw bytes the test can read afterwards, free blocks included: what a
/// forensic lab images from a returned camera. The file system keeps its journal in the default data=ordered
/// mode, as on the device. Needs root (the CI runner and this machine are); a runner that refuses the mount
/// fails the test with the reason (it is never skipped).
/// </summary>
internal sealed class Ext4Image : IDisposable
{
    private const long Size = 128L * 1024 * 1024;
    private readonly TempDirectory _directory = new();
    private bool _mounted;

    private Ext4Image()
    {
        ImageFile = _directory.Combine("disk.img");
        MountPoint = _directory.Combine("mnt");
    }

    public string ImageFile { get; }

    public string MountPoint { get; }

    /// <summary>The camera's data directory on the mounted file system.</summary>
    public string DataDirectory => Path.Combine(MountPoint, "data");

    public static Ext4Image Create()
    {
        var image = new Ext4Image();
        using (var file = new FileStream(image.ImageFile, FileMode.CreateNew))
        {
            file.SetLength(Size);
        }

        Directory.CreateDirectory(image.MountPoint);
        Run("mkfs.ext4", "-q", "-F", "-b", "4096", image.ImageFile);
        Run("mount", "-o", "loop", image.ImageFile, image.MountPoint);
        image._mounted = true;
        return image;
    }

    /// <summary>Closes every pooled database connection (they hold files open) and unmounts, flushing everything to the image.</summary>
    public void Unmount()
    {
        if (!_mounted)
        {
            return;
        }

        SqliteConnection.ClearAllPools();
        Run("umount", MountPoint);
        _mounted = false;
    }

    /// <summary>Mounts the image again (the camera restarts on the same disk).</summary>
    public void Remount()
    {
        Run("mount", "-o", "loop", ImageFile, MountPoint);
        _mounted = true;
    }

    /// <summary>Makes the mounted file system read-only (<paramref name="readOnly"/>) or writable again, as systemd's ProtectSystem=strict makes /etc for a service.</summary>
    public void RemountReadOnly(bool readOnly = true) => Run("mount", "-o", readOnly ? "remount,ro" : "remount,rw", MountPoint);

    /// <summary>Every byte of the device, allocated or free (after <see cref="Unmount"/>).</summary>
    public byte[] ReadRaw()
    {
        Assert.False(_mounted, "unmount before carving, so every write has reached the image");
        return File.ReadAllBytes(ImageFile);
    }

    public void Dispose()
    {
        try
        {
            Unmount();
        }
        catch (InvalidOperationException)
        {
            // A failed test may leave a file open; a lazy unmount still frees the mount point.
            Process.Start("umount", ["-l", MountPoint])?.WaitForExit();
        }

        _directory.Dispose();
    }

    private static void Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({process.ExitCode}): {error.Trim()}. " +
                "The forensic tests need a loop-mounted ext4 file system (root, mount, mkfs.ext4).");
        }
    }
}
