using System.Text;
using System.Text.Json;
using Iris.Lab.Firmware;
using Iris.Lab.Tests.Support;

namespace Iris.Lab.Tests.Firmware;

/// <summary>The SBOM read from a firmware image (dpkg, opkg, daemon version strings) and its CVE match by the factory's CVE gate.</summary>
public sealed class FirmwareSbomTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Sbom_ListsDpkgAndOpkgPackagesAndDaemonVersions_WithPurlAndCpe()
    {
        var root = RootFs();
        var files = TreeExtractor.Files(root).Select(f => (f, Path.GetRelativePath(root, f)));

        var components = FirmwareSbom.Collect(files, FirmwareCves.Aliases());
        var sbom = dir.File("sbom.json");
        FirmwareSbom.Write(sbom, "flash.bin", components, new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero));

        using var json = JsonDocument.Parse(File.ReadAllBytes(sbom));
        Assert.Equal("CycloneDX", json.RootElement.GetProperty("bomFormat").GetString());
        var listed = json.RootElement.GetProperty("components").EnumerateArray()
            .Select(c => (c.GetProperty("name").GetString(), c.GetProperty("version").GetString(), c.GetProperty("purl").GetString(), c.GetProperty("cpe").GetString()))
            .ToList();
        Assert.Contains(("openssl", "3.0.2-0+deb12u1", "pkg:deb/debian/openssl@3.0.2-0%2Bdeb12u1?arch=armhf", "cpe:2.3:a:openssl:openssl:3.0.2:*:*:*:*:*:*:*"), listed);
        Assert.Contains(("dropbear", "2019.78-2", "pkg:generic/dropbear@2019.78-2?type=opkg", "cpe:2.3:a:dropbear_ssh_project:dropbear_ssh:2019.78:*:*:*:*:*:*:*"), listed);
        Assert.Contains(("busybox", "1.31.1", "pkg:generic/busybox@1.31.1", "cpe:2.3:a:busybox:busybox:1.31.1:*:*:*:*:*:*:*"), listed);
        Assert.Contains(("lighttpd", "1.4.45", "pkg:generic/lighttpd@1.4.45", "cpe:2.3:a:lighttpd:lighttpd:1.4.45:*:*:*:*:*:*:*"), listed);
        Assert.Contains(("openssh", "7.4p1", "pkg:generic/openssh@7.4p1", "cpe:2.3:a:openbsd:openssh:7.4p1:*:*:*:*:*:*:*"), listed);
        Assert.Contains(("uclibc", "0.9.33.2", "pkg:generic/uclibc@0.9.33.2", "cpe:2.3:a:uclibc:uclibc:0.9.33.2:*:*:*:*:*:*:*"), listed);
        // A package not installed is no component; the OpenSSL text inside libssl is the dpkg package already listed.
        Assert.DoesNotContain(listed, c => c.Item1 == "removed-pkg");
        Assert.Single(listed, c => c.Item4!.Contains(":openssl:openssl:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task KnownVulnerableComponents_FailTheCveItem_WithTheCveIds()
    {
        var flash = Flash();
        var nvd = Nvd(
            Cve("CVE-2022-28391", 9.8, "cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*", end: "1.35.0"),
            Cve("CVE-2023-0286", 7.4, "cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*", start: "3.0.0", end: "3.0.8"),
            Cve("CVE-2020-36254", 8.1, "cpe:2.3:a:dropbear_ssh_project:dropbear_ssh:*:*:*:*:*:*:*:*", end: "2020.79"),
            Cve("CVE-2018-19052", 5.3, "cpe:2.3:a:lighttpd:lighttpd:*:*:*:*:*:*:*:*", end: "1.4.50"),
            Cve("CVE-2021-23017", 9.8, "cpe:2.3:a:f5:nginx:*:*:*:*:*:*:*:*", end: "1.21.0"));

        using var run = await LabRun.AuditAsync("127.0.0.1", "1", [new FirmwareProbe()], null, "--firmware", flash, "--nvd", nvd);

        run.AssertFinding("5.2.1.1", "Known-vulnerable component in the firmware");
        var evidence = run.Evidence("5.2.1.1");
        Assert.Contains("CVE-2022-28391 (CVSS v3 9.8", evidence, StringComparison.Ordinal);
        Assert.Contains("in busybox 1.31.1", evidence, StringComparison.Ordinal);
        Assert.Contains("CVE-2023-0286", evidence, StringComparison.Ordinal);
        Assert.Contains("CVE-2020-36254", evidence, StringComparison.Ordinal);
        // Below High is no failure, and no nginx ships in this image.
        Assert.DoesNotContain("CVE-2018-19052", evidence, StringComparison.Ordinal);
        Assert.DoesNotContain("CVE-2021-23017", evidence, StringComparison.Ordinal);
        Assert.Contains(run.Findings, f => f.Item == "5.2.1.1" && f.Severity == "critical");
        Assert.Equal(1, run.ExitCode);
    }

    [Fact]
    public async Task ComponentsWithNoHighCve_PassTheCveItem_AndWithoutAMirrorItIsInconclusive()
    {
        var flash = Flash();
        var nvd = Nvd(Cve("CVE-2018-19052", 5.3, "cpe:2.3:a:lighttpd:lighttpd:*:*:*:*:*:*:*:*", end: "1.4.50"),
            Cve("CVE-2022-28391", 9.8, "cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*", end: "1.30.0"));

        using var matched = await LabRun.AuditAsync("127.0.0.1", "1", [new FirmwareProbe()], null, "--firmware", flash, "--nvd", nvd);
        using var unmatched = await LabRun.AuditAsync("127.0.0.1", "1", [new FirmwareProbe()], null, "--firmware", flash);

        Assert.True(matched.Verdict("5.2.1.1") == "pass", matched.Evidence("5.2.1.1"));
        Assert.Contains("below High: CVE-2018-19052 (5.3) in lighttpd", matched.Evidence("5.2.1.1"), StringComparison.Ordinal);
        Assert.Equal("inconclusive", unmatched.Verdict("5.2.1.1"));
        Assert.Contains("no mirror was given (--nvd DIR", unmatched.Evidence("5.2.1.1"), StringComparison.Ordinal);
        Assert.Contains("busybox 1.31.1", unmatched.Evidence("5.2.1.1"), StringComparison.Ordinal);
    }

    private string RootFs()
    {
        var random = new Random(5);
        byte[] Binary(string text)
        {
            var bytes = new byte[20_000];
            random.NextBytes(bytes);
            Encoding.ASCII.GetBytes(text).CopyTo(bytes, 9_000);
            return bytes;
        }

        return FlashImages.Tree(dir, "sbom-root", new Dictionary<string, byte[]>
        {
            ["var/lib/dpkg/status"] = Encoding.UTF8.GetBytes(
                "Package: openssl\nStatus: install ok installed\nArchitecture: armhf\nVersion: 3.0.2-0+deb12u1\nDescription: TLS\n multi-line\n\n"
                + "Package: removed-pkg\nStatus: deinstall ok config-files\nArchitecture: armhf\nVersion: 1.0\n\n"),
            ["usr/lib/opkg/status"] = Encoding.UTF8.GetBytes("Package: dropbear\nVersion: 2019.78-2\nStatus: install user installed\nArchitecture: mipsel_24kc\n\n"),
            ["bin/busybox"] = Binary("\0BusyBox v1.31.1 (2020-03-01 10:00:00 UTC) multi-call binary.\0"),
            ["usr/sbin/lighttpd"] = Binary("\0lighttpd/1.4.45\0"),
            ["usr/sbin/sshd"] = Binary("\0OpenSSH_7.4p1, OpenSSL 1.0.2k-fips  26 Jan 2017\0"),
            ["usr/lib/libssl.so.3"] = Binary("\0OpenSSL 3.0.2 15 Mar 2022\0"),
            ["lib/libuClibc-0.9.33.2.so"] = Binary("\0"),
        });
    }

    /// <summary>The root file system as a gzip-compressed squashfs after a boot loader, as a vendor's flash dump holds it.</summary>
    private string Flash()
    {
        var squashfs = FlashImages.Squashfs(dir, RootFs());
        var path = dir.File("flash.bin");
        File.WriteAllBytes(path, [.. FlashImages.Bootloader(0x8000), .. squashfs, .. FlashImages.Padding(0x1000)]);
        return path;
    }

    private string Nvd(params string[] cves)
    {
        var mirror = dir.File("nvd");
        Directory.CreateDirectory(mirror);
        File.WriteAllText(Path.Combine(mirror, "nvdcve-2.0-test.json"), $$"""{"vulnerabilities":[{{string.Join(",", cves)}}]}""");
        return mirror;
    }

    private static string Cve(string id, double score, string criteria, string? start = null, string? end = null)
    {
        var range = (start is null ? "" : $",\"versionStartIncluding\":\"{start}\"") + (end is null ? "" : $",\"versionEndExcluding\":\"{end}\"");
        return $$$"""
            {"cve":{"id":"{{{id}}}","vulnStatus":"Analyzed","descriptions":[{"lang":"en","value":"test"}],
             "metrics":{"cvssMetricV31":[{"cvssData":{"baseScore":{{{score.ToString(System.Globalization.CultureInfo.InvariantCulture)}}},"vectorString":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}]},
             "configurations":[{"nodes":[{"operator":"OR","negate":false,"cpeMatch":[{"vulnerable":true,"criteria":"{{{criteria}}}"{{{range}}}}]}]}]}}
            """;
    }
}
