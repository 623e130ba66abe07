using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using Iris.Camera.Tests.Support;
using Iris.Factory.Gate;

namespace Iris.Camera.Tests.Factory;

/// <summary>
/// What the third outside review found the gate saying too much about: a key listed again as "high-entropy" data,
/// and the device nodes every initramfs carries listed as findings. Setuid and world-writable files are listed for
/// review instead (never a finding: a root file system needs su and passwd).
/// </summary>
public sealed class ReleaseGateReviewTests
{
    private static readonly HostAllowList Hosts = new(PlantedRelease.AllowedHosts);

    [Fact]
    public void AKeyInsideZstd_OrInDer_IsReportedAsAKey_AndNotAlsoListedAsHighEntropyData()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var rsa = RSA.Create(2048);
        using var memory = new MemoryStream();
        using (var zstd = new SharpCompress.Compressors.ZStandard.CompressionStream(memory))
        {
            zstd.Write(Encoding.ASCII.GetBytes(ec.ExportECPrivateKeyPem()));
        }

        var random = new byte[4096];
        new Random(13).NextBytes(random);
        var report = Scan(("backup/device.pem.zst", memory.ToArray()), ("keys/rsa.der", rsa.ExportPkcs8PrivateKey()), ("opt/blob.bin", random));

        Assert.Equal(["backup/device.pem.zst!device.pem: contains a private key", "keys/rsa.der: contains a private key"], report.Findings.Order(StringComparer.Ordinal));
        // Control: random data that is no key is still listed, so the review rule is on.
        Assert.Equal(["opt/blob.bin: high-entropy data of unknown type (4096 bytes)"], report.Review);
    }

    [Fact]
    public void DeviceNodesInAnInitramfsOrARootFsTar_AreNotFindings_SetuidAndWorldWritableFilesAreListedForReview()
    {
        var initramfs = ReleaseGateMissTests.Cpio(
            ("dev", 0x41ED, []),
            ("dev/console", 0x2180, []),
            ("dev/mmcblk0", 0x61B0, []),
            ("run/initctl", 0x1180, []),
            ("bin/su", 0x8000 | 0x9ED, Encoding.ASCII.GetBytes("su\n")),
            ("var/spool/drop", 0x81B6, Encoding.ASCII.GetBytes("drop\n")),
            ("init", 0x81ED, Encoding.ASCII.GetBytes("#!/bin/sh\nexec /sbin/init\n")));
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.CharacterDevice, "dev/null") { DeviceMajor = 1, DeviceMinor = 3 });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Fifo, "run/fifo"));
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "usr/bin/newgrp")
                { Mode = (UnixFileMode)0x5ED | UnixFileMode.SetGroup, DataStream = new MemoryStream(Encoding.ASCII.GetBytes("newgrp\n")) });
        }

        var report = Scan(("boot/initrd.img", initramfs), ("rootfs.tar", tar.ToArray()));

        Assert.Empty(report.Findings);
        Assert.Equal(
            [
                "boot/initrd.img!bin/su: setuid file (mode 4755)",
                "boot/initrd.img!var/spool/drop: world-writable file (mode 666)",
                "rootfs.tar!usr/bin/newgrp: setgid file (mode 2755)",
            ],
            report.Review.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ASetuidFileInAReleaseDirectory_IsListedForReview_NotAFinding()
    {
        using var dir = new TempDirectory();
        var release = dir.Combine("release");
        Directory.CreateDirectory(release);
        File.WriteAllText(Path.Combine(release, "helper"), "helper\n");
        File.SetUnixFileMode(Path.Combine(release, "helper"), (UnixFileMode)0x1ED | UnixFileMode.SetUser);

        var report = ReleaseGate.Scan(release, Hosts);

        Assert.Empty(report.Findings);
        Assert.Equal(["helper: setuid file (mode 4755)"], report.Review);
    }

    private static GateReport Scan(params (string Name, byte[] Content)[] files)
    {
        using var dir = new TempDirectory();
        foreach (var (name, content) in files)
        {
            var path = dir.Combine(name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, content);
        }

        return ReleaseGate.Scan(dir.Path, Hosts);
    }
}
