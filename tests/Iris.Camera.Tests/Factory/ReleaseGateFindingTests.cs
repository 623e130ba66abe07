using System.Diagnostics;
using System.IO.Compression;
using Iris.Camera.Tests.Support;
using Iris.Factory.Gate;

namespace Iris.Camera.Tests.Factory;

/// <summary>
/// The release gate against the planted tree (issue 13, point 5): every kind of secret and endpoint it once missed is
/// found in the directory, and the same findings come out of every compressed image the tree is packed into.
/// </summary>
public sealed class ReleaseGateFindingTests
{
    private static readonly HostAllowList Hosts = new(PlantedRelease.AllowedHosts);

    [Fact]
    public void EveryPlantedKind_IsFound_InTheTree()
    {
        using var dir = new TempDirectory();
        PlantedRelease.Write(dir.Combine("root"));

        var report = ReleaseGate.Scan(dir.Combine("root"), Hosts);

        Assert.Equal(PlantedRelease.ExpectedFindings.Order(StringComparer.Ordinal), report.Findings.Order(StringComparer.Ordinal));
        // Random bytes of no known type are listed for a person to look at; they do not stop the release.
        Assert.Contains("opt/app/blob.bin: high-entropy data of unknown type (4096 bytes)", report.Review);
    }

    [Theory]
    [InlineData("image.tar", "image.tar!")]
    [InlineData("image.tar.gz", "image.tar.gz!image.tar!")]
    [InlineData("image.tar.xz", "image.tar.xz!image.tar!")]
    [InlineData("image.tar.bz2", "image.tar.bz2!image.tar!")]
    [InlineData("image.zip", "image.zip!")]
    [InlineData("image.squashfs", "image.squashfs!")]
    [InlineData("bundle.tar.gz", "bundle.tar.gz!bundle.tar!image.squashfs!")]
    public void EveryPlantedKind_IsFound_InsideACompressedImage(string image, string prefix)
    {
        using var dir = new TempDirectory();
        var root = dir.Combine("root");
        PlantedRelease.Write(root);
        var path = dir.Combine(image);
        Pack(root, path, dir);

        var report = ReleaseGate.Scan(path, Hosts);

        Assert.All(report.Findings, f => Assert.StartsWith(prefix, f, StringComparison.Ordinal));
        Assert.Equal(PlantedRelease.ExpectedFindings.Order(StringComparer.Ordinal), report.Findings.Select(f => f[prefix.Length..]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ADamagedArchive_StopsTheRelease_BecauseWhatItHoldsWasNotSeen()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("rootfs.tar.gz");
        File.WriteAllBytes(path, [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xFF, 0xFF, 0xFF, 0xFF]);

        var report = ReleaseGate.Scan(path, Hosts);

        Assert.Equal(["rootfs.tar.gz: Gzip content that could not be read to the end (InvalidDataException)"], report.Findings);
    }

    [Theory]
    [InlineData("github.com", true)]
    [InlineData("GitHub.com.", true)]
    [InlineData("github.company", false)]
    [InlineData("github.com.evil.net", false)]
    [InlineData("evilgithub.com", false)]
    [InlineData("api.github.com", false)]
    [InlineData("a.example.com", true)]
    [InlineData("example.com", false)]
    [InlineData("a.example.com.net", false)]
    [InlineData("badexample.com", false)]
    [InlineData("ocsp.example.com0", true)]
    [InlineData("ocsp.example.com0C", true)]
    [InlineData("ocsp.example.com0O", true)]
    [InlineData("ocsp.example.co0m", false)]
    [InlineData("icc.example.comOutputConditionIdentifier", true)]
    [InlineData("ocsp.example.company0", false)]
    public void TheAllowList_MatchesHostsExactly(string host, bool allowed)
    {
        Assert.Equal(allowed, Hosts.Allows(HostAllowList.Normalise(host)));
    }

    [Fact]
    public void ATwoGibFile_IsScannedInBoundedMemory_AndEveryPlantIsFound()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.Combine("release"));
        var path = dir.Combine("release", "rootfs.img");
        const long length = 2L << 30;
        using (var file = File.Create(path))
        {
            // Sparse: the file system keeps only the planted blocks.
            file.SetLength(length);
            Plant(file, (1L << 20) - 7, "\0https://straddle.example.net/x\0"u8);
            Plant(file, 1L << 30, "\0root:$6$rounds=5000$abcdefgh$0123456789abcdefghijABCDEFGHIJ./\0"u8);
            Plant(file, length - 64, "\0-----BEGIN OPENSSH PRIVATE KEY-----\0"u8);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var report = ReleaseGate.Scan(dir.Combine("release"), Hosts);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(length, report.BytesScanned);
        Assert.Equal(
            ["rootfs.img: contains a private key", "rootfs.img: password hash ($6$ crypt)", "rootfs.img: undeclared endpoint https://straddle.example.net"],
            report.Findings.Order(StringComparer.Ordinal));
        // A few windows of 1 MiB, whatever the size of the file: nothing in proportion to the 2 GiB.
        Assert.InRange(report.LargestBuffer, 1, 3 << 20);
        Assert.InRange(allocated, 1, 32L << 20);
    }

    [Fact]
    public async Task AFifoAndASocket_AreReportedAsSpecialFiles_WithoutBeingOpened()
    {
        using var dir = new TempDirectory();
        var root = dir.Combine("root");
        Directory.CreateDirectory(Path.Combine(root, "run"));
        File.WriteAllText(Path.Combine(root, "run", "clean.txt"), "nothing to see\n");
        // Opening a FIFO for reading blocks until a writer comes: an opening gate never returns.
        Run("mkfifo", Path.Combine(root, "run", "pipe"));
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        socket.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(Path.Combine(root, "run", "control.sock")));

        var report = await Task.Run(() => ReleaseGate.Scan(root, Hosts)).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(
            ["run/control.sock: special file (socket, not opened)", "run/pipe: special file (named pipe, not opened)"],
            report.Findings.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AFifoGivenAsTheImage_IsReported_WithoutBeingOpened()
    {
        using var dir = new TempDirectory();
        Run("mkfifo", dir.Combine("rootfs.img"));

        var report = await Task.Run(() => ReleaseGate.Scan(dir.Combine("rootfs.img"), Hosts)).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(["rootfs.img: special file (named pipe, not opened)"], report.Findings);
    }

    [Theory]
    [InlineData("tree", "", true)]
    [InlineData("image.tar", "image.tar!", false)]
    [InlineData("image.squashfs", "image.squashfs!", false)]
    public void SymbolicLinks_AreNeverFollowed_AndInAReleaseDirectoryAreFindings(string image, string prefix, bool linksAreFindings)
    {
        using var dir = new TempDirectory();
        var outside = dir.Combine("outside");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "secret.conf"), "password = hunter2hunter2\n");
        var root = dir.Combine("root");
        Directory.CreateDirectory(Path.Combine(root, "etc"));
        File.WriteAllText(Path.Combine(root, "etc", "ok.txt"), "nothing to see\n");
        // A link to a directory out of the tree was followed and not reported; one to a file was reported.
        File.CreateSymbolicLink(Path.Combine(root, "etc", "outside"), outside);
        File.CreateSymbolicLink(Path.Combine(root, "etc", "secret.conf"), Path.Combine(outside, "secret.conf"));

        var report = ReleaseGate.Scan(ImageOf(root, image, dir), Hosts);

        // Never followed: the secret outside the tree is found in no case. A root file-system image is full of
        // normal links (/bin/sh, library versions), so there a link alone is no finding.
        string[] expected = linksAreFindings
            ? [$"{prefix}etc/outside: symbolic link (a release holds regular files only)", $"{prefix}etc/secret.conf: symbolic link (a release holds regular files only)"]
            : [];
        Assert.Equal(expected, report.Findings.Order(StringComparer.Ordinal));
        Assert.Equal("nothing to see\n".Length, report.BytesScanned);
    }

    [Fact]
    public void ASquashfsFileWithANewlineInItsName_IsScannedOnce_AndSoIsTheCleanFileItsNameBegins()
    {
        using var dir = new TempDirectory();
        var root = dir.Combine("root");
        Directory.CreateDirectory(Path.Combine(root, "etc"));
        const string clean = "nothing to see\n";
        const string secret = "-----BEGIN OPENSSH PRIVATE KEY-----\n";
        File.WriteAllText(Path.Combine(root, "etc", "app.conf"), clean);
        File.WriteAllText(Path.Combine(root, "etc", "app.conf\nx"), secret);

        var report = ReleaseGate.Scan(ImageOf(root, "image.squashfs", dir), Hosts);

        Assert.Equal(["image.squashfs!etc/app.conf\nx: contains a private key"], report.Findings);
        // A listing split on the newline read etc/app.conf twice and the secret never.
        Assert.Equal(clean.Length + secret.Length, report.BytesScanned);
    }

    [Theory]
    [InlineData("tree", "")]
    [InlineData("image.tar", "image.tar!")]
    [InlineData("image.squashfs", "image.squashfs!")]
    public void ABusyBoxAppletLink_NamedForAPlaintextDaemon_IsReported(string image, string prefix)
    {
        using var dir = new TempDirectory();
        var root = dir.Combine("root");
        Directory.CreateDirectory(Path.Combine(root, "bin"));
        Directory.CreateDirectory(Path.Combine(root, "usr", "sbin"));
        File.WriteAllText(Path.Combine(root, "bin", "busybox"), "busybox multi-call binary\n");
        string[] daemons = ["rlogind", "rshd", "telnetd", "tftpd"];
        foreach (var daemon in daemons)
        {
            File.CreateSymbolicLink(Path.Combine(root, "usr", "sbin", daemon), "../../bin/busybox");
        }

        // A hard link is a regular file in a tree or squashfs, but a data-less link entry in tar.
        Run("ln", Path.Combine(root, "bin", "busybox"), Path.Combine(root, "usr", "sbin", "ftpd"));

        var report = ReleaseGate.Scan(ImageOf(root, image, dir), Hosts);

        Assert.Equal(
            [
                $"{prefix}usr/sbin/ftpd: plaintext protocol service (ftpd)",
                .. daemons.SelectMany(d => prefix.Length == 0
                    ? new[] { $"{prefix}usr/sbin/{d}: plaintext protocol service ({d})", $"{prefix}usr/sbin/{d}: symbolic link (a release holds regular files only)" }
                    : [$"{prefix}usr/sbin/{d}: plaintext protocol service ({d})"]),
            ],
            report.Findings.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void PasswordsTheGateOnceMissed_AreFound_YamlListItemJsonNumberWifiPassphrasesApr1AndArgon2()
    {
        using var dir = new TempDirectory();
        var root = dir.Combine("root");
        Directory.CreateDirectory(Path.Combine(root, "etc"));
        File.WriteAllText(Path.Combine(root, "etc", "users.yaml"), "users:\n  - password: hunter2hunter2\n");
        File.WriteAllText(Path.Combine(root, "etc", "admin.json"), "{ \"adminPassword\": 12345678 }\n");
        File.WriteAllText(Path.Combine(root, "etc", "htpasswd"), "admin:$apr1$abcdefgh$0123456789abcdefghijkl\n");
        File.WriteAllText(Path.Combine(root, "etc", "hostapd.conf"), "interface=wlan0\nwpa_passphrase=hunter2hunter2\n");
        File.WriteAllText(Path.Combine(root, "etc", "wpa_supplicant.conf"), "network={\n  ssid=\"home\"\n  psk=\"hunter2hunter2\"\n}\n");
        File.WriteAllText(Path.Combine(root, "etc", "argon"), "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$Rdescudv+Csgt3ub+b+dWRWJTmaaJObG\n");

        var report = ReleaseGate.Scan(root, Hosts);

        Assert.Equal(
            [
                "etc/admin.json: credential in settings (adminPassword)",
                "etc/argon: password hash ($argon2id$ crypt)",
                "etc/hostapd.conf: credential in settings (wpa_passphrase)",
                "etc/htpasswd: password hash ($apr1$ crypt)",
                "etc/users.yaml: credential in settings (password)",
                "etc/wpa_supplicant.conf: credential in settings (psk)",
            ],
            report.Findings.Order(StringComparer.Ordinal));
    }

    private static string ImageOf(string root, string image, TempDirectory dir)
    {
        if (image == "tree")
        {
            return root;
        }

        Pack(root, dir.Combine(image), dir);
        return dir.Combine(image);
    }

    private static void Plant(FileStream file, long at, ReadOnlySpan<byte> bytes)
    {
        file.Position = at;
        file.Write(bytes);
    }

    private static void Pack(string root, string path, TempDirectory dir)
    {
        // GNU tar, because TarFile.CreateFromDirectory skips dot files such as .env.
        var tar = dir.Combine("image.tar");
        switch (Path.GetFileName(path))
        {
            case "image.tar":
                Run("tar", "-cf", tar, "-C", root, ".");
                break;
            case "image.tar.gz":
                Run("tar", "-cf", tar, "-C", root, ".");
                Compress(tar, path, file => new GZipStream(file, CompressionLevel.Fastest));
                break;
            case "image.tar.bz2":
                Run("tar", "-cf", tar, "-C", root, ".");
                Compress(tar, path, file => SharpCompress.Compressors.BZip2.BZip2Stream.Create(file, SharpCompress.Compressors.CompressionMode.Compress, decompressConcatenated: false));
                break;
            case "image.tar.xz":
                Run("tar", "-cf", tar, "-C", root, ".");
                Run("xz", "-z", "-T1", tar);
                break;
            case "image.zip":
                ZipFile.CreateFromDirectory(root, path);
                break;
            case "image.squashfs":
                Run("mksquashfs", root, path, "-quiet", "-no-progress", "-comp", "xz", "-processors", "1");
                break;
            default:
                // A squashfs root file system inside a compressed tar, as a vendor's release bundle may carry it.
                var inner = dir.Combine("bundle");
                Directory.CreateDirectory(inner);
                Run("mksquashfs", root, Path.Combine(inner, "image.squashfs"), "-quiet", "-no-progress", "-processors", "1");
                Run("tar", "-cf", dir.Combine("bundle.tar"), "-C", inner, ".");
                Compress(dir.Combine("bundle.tar"), path, file => new GZipStream(file, CompressionLevel.Fastest));
                break;
        }
    }

    private static void Compress(string source, string destination, Func<Stream, Stream> compressor)
    {
        using var input = File.OpenRead(source);
        using var output = compressor(File.Create(destination));
        input.CopyTo(output);
    }

    private static void Run(string program, params string[] arguments)
    {
        using var process = Process.Start(program, arguments);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }
}
