using System.Text.Json.Nodes;
using Iris.Camera.Tests.Support;
using Iris.Factory;
using static Iris.Camera.Tests.Factory.NvdFixture;

namespace Iris.Camera.Tests.Factory;

/// <summary>
/// The CVE gate inside <c>release</c> (issue 13, point 4): the SBOM written into the release is checked against the
/// NVD mirror; a High CVE stops the release, a justified VEX statement lets it through and is shown in the report.
/// </summary>
public sealed class ReleaseCveGateTests
{
    [Fact]
    public async Task AHighCve_FailsRelease_AndAJustifiedVex_PassesIt_WithTheStatementInTheReport()
    {
        using var dir = new TempDirectory();
        var release = dir.Combine("rootfs");
        Directory.CreateDirectory(Path.Combine(release, "var", "lib", "dpkg"));
        await File.WriteAllTextAsync(Path.Combine(release, "var", "lib", "dpkg", "status"), SbomTests.DpkgStatus);
        await File.WriteAllTextAsync(Path.Combine(release, "Iris.Camera"), "#!/bin/sh\n");
        WriteMirror(dir.Combine("nvd"), Cve("CVE-2026-3000", 9.8, null, Configuration(null,
            Node("OR", false, Match("cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*", startIncluding: "3.0.0", endExcluding: "3.0.12")))));
        await File.WriteAllTextAsync(dir.Combine("vex.json"), new JsonObject
        {
            ["@context"] = "https://openvex.dev/ns/v0.2.0", ["@id"] = "https://vendor.example.com/vex/7", ["author"] = "Vendor PSIRT",
            ["timestamp"] = "2026-11-01T00:00:00Z", ["version"] = 1,
            ["statements"] = new JsonArray(new JsonObject
            {
                ["vulnerability"] = new JsonObject { ["name"] = "CVE-2026-3000" },
                ["products"] = new JsonArray(new JsonObject { ["@id"] = "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64" }),
                ["status"] = "not_affected", ["justification"] = "vulnerable_code_not_present",
                ["impact_statement"] = "Debian backported the fix in 3.0.11-1~deb12u2", ["expires"] = "2099-06-30",
            }),
        }.ToJsonString());
        Assert.Equal(0, await RunAsync("keys", "generate", "--out", dir.Combine("keys")));
        Assert.Equal(0, await RunAsync("update-key", "generate", "--out", dir.Combine("fleet")));
        Assert.Equal(0, await RunAsync("repo", "init", "--repo", dir.Combine("repo"), "--keys", dir.Combine("keys")));
        string[] releaseArgs = ["release", "--repo", dir.Combine("repo"), "--keys", dir.Combine("keys"), "--from", release, "--model", "Iris Camera DEV",
            "--version", "0.4.0", "--security-version", "1", "--support-end", "2033-01-31", "--recipient", dir.Combine("fleet.pub.pem"), "--nvd", dir.Combine("nvd")];

        var refused = new StringWriter();
        var refusedError = new StringWriter();
        var refusedExit = await FactoryCli.RunAsync(releaseArgs, refused, refusedError);

        Assert.Equal(FactoryCli.Failed, refusedExit);
        Assert.Contains("| fail | CVE-2026-3000 | libssl3 | 3.0.11-1~deb12u2 | 9.8 |", refused.ToString(), StringComparison.Ordinal);
        Assert.Contains("nothing was published", refusedError.ToString(), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(dir.Combine("repo", "targets")));
        Assert.False(File.Exists(Path.Combine(release, "sbom.cdx.json")), "a refused release leaves its directory as it was given");

        var published = new StringWriter();
        var publishedError = new StringWriter();
        var publishedExit = await FactoryCli.RunAsync([.. releaseArgs, "--vex", dir.Combine("vex.json"), "--cve-report", dir.Combine("cve"), "--sbom-out", dir.Combine("sbom.cdx.json")],
            published, publishedError);

        Assert.True(publishedExit == 0, publishedError.ToString());
        Assert.Contains("published iris-camera-0.4.0.irfw", published.ToString(), StringComparison.Ordinal);
        var statement = "| not-affected | CVE-2026-3000 | libssl3 | 3.0.11-1~deb12u2 | 9.8 | — | not_affected: vulnerable_code_not_present — Debian backported the fix in 3.0.11-1~deb12u2 (until 2099-06-30, vex.json) |";
        Assert.Contains(statement, published.ToString(), StringComparison.Ordinal);
        Assert.Contains(statement, await File.ReadAllTextAsync(dir.Combine("cve.md")), StringComparison.Ordinal);
        // The SBOM went into the bundle, not into the directory given, and the signed targets metadata names it by
        // length and hash; --sbom-out is the copy to hand out.
        Assert.False(File.Exists(Path.Combine(release, "sbom.cdx.json")), "release never writes into the tree it releases");
        var sbomBytes = await File.ReadAllBytesAsync(dir.Combine("sbom.cdx.json"));
        var newestTargets = Directory.GetFiles(dir.Combine("repo", "metadata"), "*.targets.json")
            .MaxBy(path => long.Parse(Path.GetFileName(path).Split('.')[0], System.Globalization.CultureInfo.InvariantCulture))!;
        var envelope = JsonNode.Parse(await File.ReadAllTextAsync(newestTargets))!;
        var targets = JsonNode.Parse(Convert.FromBase64String(envelope["payload"]!.GetValue<string>()))!;
        var pin = targets["targets"]![0]!["release"]!["sbom"]!;
        Assert.Equal("sbom.cdx.json", pin["name"]!.GetValue<string>());
        Assert.Equal(sbomBytes.LongLength, pin["length"]!.GetValue<long>());
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(sbomBytes)), pin["sha256"]!.GetValue<string>());
    }

    private static Task<int> RunAsync(params string[] args) => FactoryCli.RunAsync(args, TextWriter.Null, TextWriter.Null);
}
