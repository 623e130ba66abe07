using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Text;

namespace Iris.Lab.Tests.Support;

/// <summary>Builds firmware test images: root file systems, squashfs (Debian's mksquashfs), uImage headers, gzip, raw flash layouts.</summary>
internal static class FlashImages
{
    /// <summary>Writes the files (relative path to content) under a new directory in <paramref name="dir"/>.</summary>
    public static string Tree(TempDirectory dir, string name, IReadOnlyDictionary<string, byte[]> files)
    {
        var root = dir.File(name);
        foreach (var (path, content) in files)
        {
            var full = Path.Combine(root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllBytes(full, content);
        }

        return root;
    }

    public static byte[] Squashfs(TempDirectory dir, string tree)
    {
        var image = dir.File(Path.GetFileName(tree) + ".squashfs");
        Run("mksquashfs", tree, image, "-noappend", "-quiet", "-no-progress", "-processors", "1");
        return File.ReadAllBytes(image);
    }

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    /// <summary>A legacy U-Boot image header (64 bytes, big-endian, CRC-32 of the header and of the data) before the payload.</summary>
    public static byte[] UImage(byte[] payload, string name)
    {
        var header = new byte[64];
        BinaryPrimitives.WriteUInt32BigEndian(header, 0x27051956);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(8), 1_700_000_000);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(12), (uint)payload.Length);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(16), 0x80008000);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(20), 0x80008000);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(24), Crc32(payload));
        header[28] = 5; // Linux
        header[29] = 2; // ARM
        header[30] = 2; // kernel
        header[31] = 1; // gzip
        Encoding.ASCII.GetBytes(name).AsSpan(0, Math.Min(name.Length, 31)).CopyTo(header.AsSpan(32));
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), Crc32(header));
        return [.. header, .. payload];
    }

    /// <summary>Pseudo-random bytes with some text, as a boot loader's code and strings would be.</summary>
    public static byte[] Bootloader(int length)
    {
        var bytes = new byte[length];
        new Random(17).NextBytes(bytes);
        var banner = "U-Boot 2020.01 (Jan 01 2024 - 00:00:00 +0000) for camera board"u8;
        if (length >= 1024 + banner.Length)
        {
            banner.CopyTo(bytes.AsSpan(1024));
        }
        return bytes;
    }

    public static byte[] Padding(int length, byte value = 0xFF)
    {
        var bytes = new byte[length];
        Array.Fill(bytes, value);
        return bytes;
    }

    public static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} failed: {error.Result}");
    }

    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }
}
