using System.Text.Json;
using Iris.Lab.Audit;

namespace Iris.Lab.Tests.Support;

/// <summary>Runs `iris-lab audit` in process with chosen probes and reads back its report.json.</summary>
internal sealed class LabRun : IDisposable
{
    private LabRun(int exitCode, JsonDocument report, string output)
    {
        ExitCode = exitCode;
        Report = report;
        Output = output;
    }

    public int ExitCode { get; }

    public JsonDocument Report { get; }

    public string Output { get; }

    public static async Task<LabRun> AuditAsync(string target, string ports, IReadOnlyList<IProbe> probes, string? ixitJson = null, params string[] extra)
    {
        using var dir = new TempDirectory();
        // A generous timeout: the tests share two cores with parallel builds, and a slow answer must not read as a refusal.
        var args = new List<string> { "audit", "--target", target, "--ports", ports, "--out", dir.File("out"), "--timeout-ms", "3000" };
        if (ixitJson is not null)
        {
            File.WriteAllText(dir.File("ixit.json"), ixitJson);
            args.AddRange(["--ixit", dir.File("ixit.json")]);
        }

        args.AddRange(extra);
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await LabCli.RunAsync([.. args], output, error, () => probes);
        Assert.True(code is 0 or 1, $"iris-lab exited {code}: {error}");
        return new LabRun(code, JsonDocument.Parse(File.ReadAllBytes(dir.File("out/report.json"))), output.ToString());
    }

    public string Verdict(string item) =>
        Report.RootElement.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("id").GetString() == item).GetProperty("verdict").GetString()!;

    public string Evidence(string item) => string.Join("\n", Report.RootElement.GetProperty("items").EnumerateArray()
        .Single(i => i.GetProperty("id").GetString() == item).GetProperty("evidence").EnumerateArray().Select(e => e.GetProperty("text").GetString()));

    public IReadOnlyList<(string Item, string Severity, string Title)> Findings =>
        [.. Report.RootElement.GetProperty("findings").EnumerateArray()
            .Select(f => (f.GetProperty("item").GetString()!, f.GetProperty("severity").GetString()!, f.GetProperty("title").GetString()!))];

    /// <summary>Asserts a finding on <paramref name="item"/> whose title contains <paramref name="title"/>, and that the item failed.</summary>
    public void AssertFinding(string item, string title)
    {
        Assert.Equal("fail", Verdict(item));
        Assert.True(Findings.Any(f => f.Item == item && f.Title.Contains(title, StringComparison.Ordinal)),
            $"No finding '{title}' on {item}; findings: {string.Join(" | ", Findings.Select(f => $"{f.Item} {f.Title}"))}");
    }

    public void Dispose() => Report.Dispose();
}
