using System.Text.Json;
using System.Text.Json.Nodes;
using Iris.Camera.Tests.Support;
using Iris.Factory;
using Iris.Factory.Cve;
using static Iris.Camera.Tests.Factory.NvdFixture;

namespace Iris.Camera.Tests.Factory;

/// <summary>
/// The CVE gate (issue 13, point 4) against NVD-format fixtures made here: range boundaries, AND configurations with
/// platforms, aliases, v2-only and unscored records, and VEX with and without a justification.
/// </summary>
public sealed class CveGateTests
{
    private const string Widget = "cpe:2.3:a:acme:widget:*:*:*:*:*:*:*:*";

    [Theory]
    [InlineData("1.1.9", false)]
    [InlineData("1.2.0", true)]
    [InlineData("1.2", true)]
    [InlineData("1.3.10", true)]
    [InlineData("1.4.0~rc1", true)]
    [InlineData("1.4.0", false)]
    [InlineData("1.10.0", false)]
    public void StartIncluding_EndExcluding_Boundaries(string version, bool affected)
    {
        var match = Parse(Match(Widget, startIncluding: "1.2.0", endExcluding: "1.4.0"));

        Assert.Equal(affected, CveMatcher.Matches(match, Cpe.Of("a", "acme", "widget", version)));
    }

    [Theory]
    [InlineData("2.0", false)]
    [InlineData("2.0.1", true)]
    [InlineData("2.5", true)]
    [InlineData("2.5.0", true)]
    [InlineData("2.5.1", false)]
    [InlineData("2.5a", false)]
    public void StartExcluding_EndIncluding_Boundaries(string version, bool affected)
    {
        var match = Parse(Match(Widget, startExcluding: "2.0", endIncluding: "2.5"));

        Assert.Equal(affected, CveMatcher.Matches(match, Cpe.Of("a", "acme", "widget", version)));
    }

    [Theory]
    [InlineData("cpe:2.3:a:acme:widget:3.1.4:*:*:*:*:*:*:*", "3.1.4", true)]
    [InlineData("cpe:2.3:a:acme:widget:3.1.4:*:*:*:*:*:*:*", "3.1.5", false)]
    [InlineData("cpe:2.3:a:acme:gadget:*:*:*:*:*:*:*:*", "3.1.4", false)]
    [InlineData("cpe:2.3:a:other:widget:*:*:*:*:*:*:*:*", "3.1.4", false)]
    [InlineData("cpe:2.3:a:acme:widget:*:*:*:*:*:node.js:*:*", "3.1.4", true)]
    public void ProductVendorAndExactVersion_MustAgree(string criteria, string version, bool affected)
    {
        Assert.Equal(affected, CveMatcher.Matches(Parse(Match(criteria)), Cpe.Of("a", "acme", "widget", version)));
    }

    [Theory]
    // NISTIR 7696: an unescaped "*" at an end is any text, a run of n "?" up to n characters; "\*" is a star.
    [InlineData("cpe:2.3:a:acme:widget:1.1.1*:*:*:*:*:*:*:*", "1.1.1", true)]
    [InlineData("cpe:2.3:a:acme:widget:1.1.1*:*:*:*:*:*:*:*", "1.1.1w", true)]
    [InlineData("cpe:2.3:a:acme:widget:1.1.1*:*:*:*:*:*:*:*", "1.1.10", true)]
    [InlineData("cpe:2.3:a:acme:widget:1.1.1*:*:*:*:*:*:*:*", "1.1.0", false)]
    [InlineData("cpe:2.3:a:acme:widget:1.1.1*:*:*:*:*:*:*:*", "1.1", false)]
    [InlineData("cpe:2.3:a:acme:widget:1.1.1?:*:*:*:*:*:*:*", "1.1.1w", true)]
    [InlineData("cpe:2.3:a:acme:widget:1.1.1?:*:*:*:*:*:*:*", "1.1.1", true)]
    [InlineData("cpe:2.3:a:acme:widget:1.1.1?:*:*:*:*:*:*:*", "1.1.1ab", false)]
    [InlineData("cpe:2.3:a:acme:widget:*.1.4:*:*:*:*:*:*:*", "3.1.4", true)]
    [InlineData("cpe:2.3:a:acme:widget:*.1.4:*:*:*:*:*:*:*", "3.1.45", false)]
    [InlineData("cpe:2.3:a:acme:widget:1.1.1\\*:*:*:*:*:*:*:*", "1.1.1w", false)]
    [InlineData("cpe:2.3:a:acme:widg*:1.1.1:*:*:*:*:*:*:*", "1.1.1", true)]
    [InlineData("cpe:2.3:a:acme:gadg*:1.1.1:*:*:*:*:*:*:*", "1.1.1", false)]
    public void WildcardsInsideCpeValues_MatchAsNistir7696Says(string criteria, string version, bool affected)
    {
        Assert.Equal(affected, CveMatcher.Matches(Parse(Match(criteria)), Cpe.Of("a", "acme", "widget", version)));
    }

    [Theory]
    [InlineData("2.0.0-beta1", true)]
    [InlineData("2.0.0-rc.2", true)]
    [InlineData("10.0.0-preview.3.25171.5", false)]
    [InlineData("2.0.0", false)]
    [InlineData("2.0.1-beta1", false)]
    [InlineData("1.9.9", true)]
    public void APreReleaseVersion_ComesBeforeItsRelease(string version, bool affected)
    {
        // Fixed in 2.0.0: every 2.0.0 preview is still affected, a 2.0.1 preview is not.
        var match = Parse(Match(Widget, startIncluding: "1.0", endExcluding: "2.0.0"));

        Assert.Equal(affected, CveMatcher.Matches(match, Cpe.Of("a", "acme", "widget", version)));
    }

    [Theory]
    [InlineData("2.0.0-alpha", "2.0.0-beta", -1)]
    [InlineData("2.0.0-beta.2", "2.0.0-beta.10", -1)]
    [InlineData("2.0.0-rc.1", "2.0.0", -1)]
    [InlineData("10.0.0-preview.7", "10.0.0-rc.1", -1)]
    [InlineData("1.2-3", "1.2", 1)]
    public void VersionOrder_PutsPreReleasesBeforeReleases_AndKeepsDebianRevisions(string a, string b, int sign)
    {
        Assert.Equal(sign, Math.Sign(VersionOrder.Compare(a, b)));
        Assert.Equal(-sign, Math.Sign(VersionOrder.Compare(b, a)));
    }

    [Fact]
    public void AnAndConfiguration_AppliesOnlyWhenThePlatformIsShipped_AndNamesOnlyTheVulnerableComponent()
    {
        var cve = Cve("CVE-2026-0001", 8.1, null, Configuration("AND",
            Node("OR", false, Match(Widget, endExcluding: "2.0")),
            Node("OR", false, Match("cpe:2.3:o:acme:rtos:*:*:*:*:*:*:*:*", vulnerable: false))));
        var widget = Component("widget", "1.0", "cpe:2.3:a:acme:widget:1.0:*:*:*:*:*:*:*");
        var rtos = Component("rtos", "5", "cpe:2.3:o:acme:rtos:5:*:*:*:*:*:*:*");

        Assert.Empty(CveMatcher.Affected(ParseCve(cve), [widget]));
        Assert.Equal([widget], CveMatcher.Affected(ParseCve(cve), [widget, rtos]));
    }

    [Fact]
    public void ANegatedNode_ExcludesThePlatformItNames()
    {
        var cve = Cve("CVE-2026-0002", 7.5, null, Configuration("AND",
            Node("OR", false, Match(Widget)),
            Node("OR", true, Match("cpe:2.3:o:acme:rtos:*:*:*:*:*:*:*:*", vulnerable: false))));
        var widget = Component("widget", "1.0", "cpe:2.3:a:acme:widget:1.0:*:*:*:*:*:*:*");
        var rtos = Component("rtos", "5", "cpe:2.3:o:acme:rtos:5:*:*:*:*:*:*:*");

        Assert.Equal([widget], CveMatcher.Affected(ParseCve(cve), [widget]));
        Assert.Empty(CveMatcher.Affected(ParseCve(cve), [widget, rtos]));
    }

    [Fact]
    public async Task ADebianPackage_IsMatchedThroughItsAlias_ByItsUpstreamVersion()
    {
        using var dir = new TempDirectory();
        WriteMirror(dir.Combine("nvd"), Cve("CVE-2026-1000", 7.5, null, Configuration(null,
            Node("OR", false, Match("cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*", startIncluding: "3.0.0", endExcluding: "3.0.12")))));
        WriteSbom(dir.Combine("sbom.json"), ("libssl3", "3.0.11-1~deb12u2", "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64", null));
        await File.WriteAllTextAsync(dir.Combine("aliases.txt"), "libssl3 = openssl:openssl\n");
        await File.WriteAllTextAsync(dir.Combine("no-aliases.txt"), "# none\n");

        var (withAlias, output, _) = await CveAsync(dir, "--aliases", dir.Combine("aliases.txt"));
        var (withoutAlias, _, _) = await CveAsync(dir, "--aliases", dir.Combine("no-aliases.txt"));

        Assert.Equal(FactoryCli.Failed, withAlias);
        Assert.Contains("| fail | CVE-2026-1000 | libssl3 | 3.0.11-1~deb12u2 | 7.5 |", output, StringComparison.Ordinal);
        Assert.Equal(0, withoutAlias);
    }

    [Fact]
    public async Task V2OnlyAndUnscoredRecords_AreListedForReview_NeverPassedSilently()
    {
        using var dir = new TempDirectory();
        WriteMirror(dir.Combine("nvd"),
            Cve("CVE-2015-0001", null, 10.0, Configuration(null, Node("OR", false, Match(Widget)))),
            Cve("CVE-2026-0003", null, null, Configuration(null, Node("OR", false, Match(Widget)))),
            CveV30("CVE-2026-0004", 6.1, null, Configuration(null, Node("OR", false, Match(Widget)))),
            Cve("CVE-2026-0005", 9.8, null, Configuration(null, Node("OR", false, Match("cpe:2.3:a:acme:other:*:*:*:*:*:*:*:*")))));
        WriteSbom(dir.Combine("sbom.json"), ("widget", "1.0", "pkg:generic/acme/widget@1.0", "cpe:2.3:a:acme:widget:1.0:*:*:*:*:*:*:*"));

        var (exit, output, _) = await CveAsync(dir, "--cve-report", dir.Combine("report"));

        Assert.Equal(0, exit);
        Assert.Contains("| review | CVE-2015-0001 | widget | 1.0 | — | 10.0 |", output, StringComparison.Ordinal);
        Assert.Contains("| review | CVE-2026-0003 | widget | 1.0 | — | — |", output, StringComparison.Ordinal);
        Assert.Contains("| below-high | CVE-2026-0004 | widget | 1.0 | 6.1 | — |", output, StringComparison.Ordinal);
        Assert.DoesNotContain("CVE-2026-0005", output, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(await File.ReadAllBytesAsync(dir.Combine("report.json")));
        Assert.Equal(["review", "review", "below-high"], json.RootElement.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("decision").GetString()));
        using var sarif = JsonDocument.Parse(await File.ReadAllBytesAsync(dir.Combine("report.sarif")));
        Assert.Equal("2.1.0", sarif.RootElement.GetProperty("version").GetString());
        Assert.Equal(["warning", "warning", "note"],
            sarif.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray().Select(r => r.GetProperty("level").GetString()));
    }

    [Theory]
    [InlineData("cyclonedx")]
    [InlineData("openvex")]
    public async Task AJustifiedVexStatement_SetsAHighCveAside_WithTheStatementInTheReport(string format)
    {
        using var dir = new TempDirectory();
        WriteHighCve(dir);
        WriteVex(dir.Combine("vex.json"), format, justification: "vulnerable_code_not_in_execute_path", expires: "2099-12-31");

        var (exit, output, _) = await CveAsync(dir, "--vex", dir.Combine("vex.json"), "--cve-report", dir.Combine("report"));

        Assert.Equal(0, exit);
        Assert.Contains("| not-affected | CVE-2026-2000 | widget | 1.0 | 9.8 | — | not_affected: vulnerable_code_not_in_execute_path — the parser is never called (until 2099-12-31, vex.json) |",
            output, StringComparison.Ordinal);
        using var sarif = JsonDocument.Parse(await File.ReadAllBytesAsync(dir.Combine("report.sarif")));
        var suppression = sarif.RootElement.GetProperty("runs")[0].GetProperty("results")[0].GetProperty("suppressions")[0];
        Assert.Equal("external", suppression.GetProperty("kind").GetString());
        Assert.Contains("vulnerable_code_not_in_execute_path", suppression.GetProperty("justification").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cyclonedx", null, "2099-12-31", "no justification")]
    [InlineData("openvex", null, "2099-12-31", "no justification")]
    [InlineData("cyclonedx", "code_not_reachable", null, "no expiry")]
    [InlineData("openvex", "vulnerable_code_not_present", "2020-01-01", "expired on 2020-01-01")]
    public async Task AVexStatementWithoutJustificationOrExpiry_IsNotUsed_AndTheHighCveStillFails(string format, string? justification, string? expires, string reason)
    {
        using var dir = new TempDirectory();
        WriteHighCve(dir);
        WriteVex(dir.Combine("vex.json"), format, justification, expires);

        var (exit, output, _) = await CveAsync(dir, "--vex", dir.Combine("vex.json"));

        Assert.Equal(FactoryCli.Failed, exit);
        Assert.Contains("| fail | CVE-2026-2000 | widget | 1.0 | 9.8 |", output, StringComparison.Ordinal);
        Assert.Contains($"VEX statement for CVE-2026-2000 in vex.json not used: {reason}", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AV30ScoreCounts_LikeAV31Score()
    {
        using var dir = new TempDirectory();
        WriteMirror(dir.Combine("nvd"), CveV30("CVE-2019-0007", 7.0, 5.0, Configuration(null, Node("OR", false, Match(Widget)))));
        WriteSbom(dir.Combine("sbom.json"), ("widget", "1.0", "pkg:generic/acme/widget@1.0", "cpe:2.3:a:acme:widget:1.0:*:*:*:*:*:*:*"));

        var (exit, output, _) = await CveAsync(dir);

        Assert.Equal(FactoryCli.Failed, exit);
        Assert.Contains("| fail | CVE-2019-0007 | widget | 1.0 | 7.0 | 5.0 |", output, StringComparison.Ordinal);
    }

    private static void WriteHighCve(TempDirectory dir)
    {
        WriteMirror(dir.Combine("nvd"), Cve("CVE-2026-2000", 9.8, null, Configuration(null, Node("OR", false, Match(Widget, endExcluding: "1.5")))));
        WriteSbom(dir.Combine("sbom.json"), ("widget", "1.0", "pkg:generic/acme/widget@1.0", "cpe:2.3:a:acme:widget:1.0:*:*:*:*:*:*:*"));
    }

    private static void WriteVex(string file, string format, string? justification, string? expires)
    {
        JsonObject document;
        if (format == "openvex")
        {
            var statement = new JsonObject
            {
                ["vulnerability"] = new JsonObject { ["name"] = "CVE-2026-2000" },
                ["products"] = new JsonArray(new JsonObject { ["@id"] = "pkg:generic/acme/widget@1.0" }),
                ["status"] = "not_affected",
                ["impact_statement"] = "the parser is never called",
            };
            if (justification is not null)
            {
                statement["justification"] = justification;
            }

            if (expires is not null)
            {
                statement["expires"] = expires;
            }

            document = new JsonObject
            {
                ["@context"] = "https://openvex.dev/ns/v0.2.0", ["@id"] = "https://vendor.example.com/vex/1", ["author"] = "Vendor PSIRT",
                ["timestamp"] = "2026-11-01T00:00:00Z", ["version"] = 1, ["statements"] = new JsonArray(statement),
            };
        }
        else
        {
            var analysis = new JsonObject { ["state"] = "not_affected", ["detail"] = "the parser is never called" };
            if (justification is not null)
            {
                analysis["justification"] = justification;
            }

            var vulnerability = new JsonObject
            {
                ["id"] = "CVE-2026-2000", ["analysis"] = analysis,
                ["affects"] = new JsonArray(new JsonObject { ["ref"] = "pkg:generic/acme/widget@1.0" }),
            };
            if (expires is not null)
            {
                vulnerability["properties"] = new JsonArray(new JsonObject { ["name"] = "iris:expires", ["value"] = expires });
            }

            document = new JsonObject { ["bomFormat"] = "CycloneDX", ["specVersion"] = "1.6", ["version"] = 1, ["vulnerabilities"] = new JsonArray(vulnerability) };
        }

        File.WriteAllText(file, document.ToJsonString());
    }

    private static async Task<(int Exit, string Output, string Error)> CveAsync(TempDirectory dir, params string[] extra)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await FactoryCli.RunAsync(["cve", "--sbom", dir.Combine("sbom.json"), "--nvd", dir.Combine("nvd"), .. extra], output, error);
        return (exit, output.ToString(), error.ToString());
    }

    private static InventoryComponent Component(string name, string version, string cpe) => new($"pkg:generic/acme/{name}@{version}", name, version, [Cpe.TryParse(cpe)!]);

    private static CpeMatch Parse(JsonObject match) => ParseCve(Cve("CVE-0000-0000", 5.0, null, Configuration(null, Node("OR", false, match))))
        .Configurations[0].Nodes[0].Matches[0];

    private static NvdCve ParseCve(JsonObject cve)
    {
        using var dir = new TempDirectory();
        WriteMirror(dir.Path, (JsonObject)cve.DeepClone());
        return NvdMirror.Read(dir.Path).Single();
    }
}
