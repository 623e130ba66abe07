using System.Text.Json;
using System.Xml.Linq;
using Iris.Lab.Audit;
using Iris.Lab.Tests.Support;

namespace Iris.Lab.Tests.Audit;

public sealed class ReportTests
{
    // The 26 item ids of IoT-1005-1, copied from the standard, not from the lab's catalog.
    private static readonly string[] StandardItems =
    [
        "5.1.1.1", "5.1.1.2", "5.1.1.3", "5.1.2.1", "5.1.2.2", "5.1.3.1", "5.2.1.1", "5.2.2.1", "5.2.3.1", "5.2.3.2",
        "5.2.3.3", "5.2.3.4", "5.3.1.1", "5.3.1.2", "5.3.1.3", "5.3.1.4", "5.4.1.1", "5.4.1.2", "5.4.2.1", "5.4.2.2",
        "5.5.1.1", "5.5.2.1", "5.6.1.1", "5.7.1.1", "5.7.1.2", "5.8.1.1",
    ];

    private static readonly string[] ReportFiles = ["report.json", "report.html", "junit.xml", "findings.sarif"];

    [Fact]
    public async Task Audit_WithNoProbes_ListsAll26ItemsAsManualWithTheReviewersQuestion()
    {
        using var dir = new TempDirectory();
        var (code, _) = await Run(dir, []);

        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(File.ReadAllBytes(dir.File("report.json")));
        var items = json.RootElement.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(StandardItems, items.Select(i => i.GetProperty("id").GetString()));
        Assert.All(items, i =>
        {
            Assert.Equal("manual", i.GetProperty("verdict").GetString());
            Assert.EndsWith("?", i.GetProperty("review").GetString(), StringComparison.Ordinal);
        });
        Assert.All(ReportFiles, f => Assert.True(File.Exists(dir.File(f)), f));
    }

    [Fact]
    public async Task ProbeThatThrowsAfterPassing_LeavesItsItemsInconclusive_NeverPass()
    {
        using var dir = new TempDirectory();
        var probe = new ScriptedProbe("tls", ["5.4.2.1", "5.4.2.2"], r => r.Pass("5.4.2.1", "TLS 1.2 only"), new InvalidOperationException("socket gone"));

        var (code, _) = await Run(dir, [probe]);

        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(File.ReadAllBytes(dir.File("report.json")));
        Assert.Equal("inconclusive", Verdict(json, "5.4.2.1"));
        Assert.Equal("inconclusive", Verdict(json, "5.4.2.2"));
        Assert.DoesNotContain(json.RootElement.GetProperty("items").EnumerateArray()
            .SelectMany(i => i.GetProperty("evidence").EnumerateArray()), e => e.GetProperty("verdict").GetString() == "pass");
    }

    [Fact]
    public async Task ProbeThatThrowsAfterAFinding_KeepsTheFailAndTheFinding()
    {
        using var dir = new TempDirectory();
        var probe = new ScriptedProbe("tls", ["5.4.2.1"], r => r.Fail(new Finding("5.4.2.1", Severity.High, "TLS 1.0 accepted", "port 443", "openssl s_client -tls1")),
            new IOException("reset"));

        var (code, _) = await Run(dir, [probe]);

        Assert.Equal(1, code);
        using var json = JsonDocument.Parse(File.ReadAllBytes(dir.File("report.json")));
        Assert.Equal("fail", Verdict(json, "5.4.2.1"));
        var finding = Assert.Single(json.RootElement.GetProperty("findings").EnumerateArray());
        Assert.Equal("high", finding.GetProperty("severity").GetString());
        Assert.Equal("openssl s_client -tls1", finding.GetProperty("reproduce").GetString());
    }

    [Fact]
    public async Task FailAnywhere_BeatsPassElsewhere_AndExitCodeSaysAnItemFailed()
    {
        using var dir = new TempDirectory();
        var passing = new ScriptedProbe("a", ["5.2.2.1"], r => r.Pass("5.2.2.1", "only 443 open"));
        var failing = new ScriptedProbe("b", ["5.2.2.1"], r => r.Fail(new Finding("5.2.2.1", Severity.Medium, "Undeclared port", "23/tcp telnet", "nc host 23")));

        var (code, stdout) = await Run(dir, [passing, failing]);

        Assert.Equal(1, code);
        Assert.Contains("5.2.2.1  fail", stdout, StringComparison.Ordinal);
        var junit = XDocument.Load(dir.File("junit.xml"));
        var failed = Assert.Single(junit.Descendants("testcase"), c => c.Element("failure") is not null);
        Assert.StartsWith("5.2.2.1 ", failed.Attribute("name")!.Value, StringComparison.Ordinal);
        Assert.Equal("25", junit.Descendants("testsuite").Single().Attribute("skipped")!.Value);
        using var sarif = JsonDocument.Parse(File.ReadAllBytes(dir.File("findings.sarif")));
        var result = Assert.Single(sarif.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray());
        Assert.Equal("5.2.2.1", result.GetProperty("ruleId").GetString());
        Assert.Equal("warning", result.GetProperty("level").GetString());
    }

    [Fact]
    public async Task HtmlReport_IsSelfContainedBilingual_AndEncodesWhatTheTargetSent()
    {
        using var dir = new TempDirectory();
        var probe = new ScriptedProbe("scan", ["5.2.2.1"], r => r.Fail(new Finding("5.2.2.1", Severity.High, "Undeclared service", "banner <script>alert(1)</script>", "nc")));

        await Run(dir, [probe]);

        var html = File.ReadAllText(dir.File("report.html"));
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("lang=\"zh-TW\"", html, StringComparison.Ordinal);
        Assert.Contains("每個產品應有一組唯一的識別碼", html, StringComparison.Ordinal);
        Assert.Contains("需人工審查", html, StringComparison.Ordinal);
        Assert.DoesNotContain("src=", html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnparsableTarget_IsAUsageError_AndWritesNoReport()
    {
        using var dir = new TempDirectory();
        var output = new StringWriter();
        var error = new StringWriter();

        var code = await LabCli.RunAsync(["audit", "--target", "camera:99999", "--out", dir.Path], output, error, () => []);

        Assert.Equal(2, code);
        Assert.Contains("not a TCP port", error.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("report.json")));
    }

    [Theory]
    [InlineData("camera.local", "camera.local", null)]
    [InlineData("127.0.0.2:8443", "127.0.0.2", 8443)]
    [InlineData("[::1]:443", "::1", 443)]
    [InlineData("fe80::1", "fe80::1", null)]
    public void Target_ParsesHostAndOptionalPort(string text, string host, int? port)
    {
        Assert.True(AuditTarget.TryParse(text, out var target, out _));
        Assert.Equal(host, target.Host);
        Assert.Equal(port, target.Port);
    }

    private static string? Verdict(JsonDocument json, string id) =>
        json.RootElement.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("id").GetString() == id).GetProperty("verdict").GetString();

    private static async Task<(int Code, string Output)> Run(TempDirectory dir, IReadOnlyList<IProbe> probes)
    {
        var output = new StringWriter();
        var code = await LabCli.RunAsync(["audit", "--target", "127.0.0.1", "--ports", "1", "--out", dir.Path], output, new StringWriter(), () => probes);
        return (code, output.ToString());
    }
}
