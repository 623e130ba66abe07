using System.Globalization;
using System.Text;
using System.Text.Json;
using Iris.Shared;

namespace Iris.Factory.Cve;

/// <summary>The CVE gate's report in Markdown (people), JSON (tools) and SARIF 2.1.0 (code-scanning dashboards).</summary>
internal static class CveReportWriter
{
    public static string Markdown(CveReport report)
    {
        var text = new StringBuilder();
        text.AppendLine("# CVE gate (IoT-1005-1 5.2.1.1)").AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"{report.Components} components checked against {report.Records} CVE records: " +
            $"{Count(report, CveDecision.Fail)} High or Critical, {Count(report, CveDecision.Review)} for review (no CVSS v3 score), " +
            $"{Count(report, CveDecision.Below)} below High, {Count(report, CveDecision.NotAffected)} not affected (VEX).").AppendLine();
        text.AppendLine(report.Failed ? "**Result: FAILED** — the release stops." : "**Result: passed.**").AppendLine();
        if (report.Results.Count > 0)
        {
            text.AppendLine("| Decision | CVE | Component | Version | CVSS v3 | CVSS v2 | VEX statement |");
            text.AppendLine("| --- | --- | --- | --- | --- | --- | --- |");
            foreach (var r in report.Results)
            {
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {Label(r.Decision)} | {r.Cve.Id} | {Cell(r.Component.Name)} | {Cell(r.Component.Version)} | {Score(r.Cve.V3Score)} | {Score(r.Cve.V2Score)} | {Cell(Statement(r))} |");
            }

            text.AppendLine();
        }

        foreach (var note in report.Notes)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- {Cell(note)}");
        }

        return text.ToString();
    }

    public static byte[] Json(CveReport report)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteBoolean("failed", report.Failed);
            json.WriteNumber("components", report.Components);
            json.WriteNumber("records", report.Records);
            json.WriteStartArray("results");
            foreach (var r in report.Results)
            {
                json.WriteStartObject();
                json.WriteString("decision", Label(r.Decision));
                json.WriteString("cve", r.Cve.Id);
                json.WriteString("component", r.Component.Name);
                json.WriteString("version", r.Component.Version);
                json.WriteString("ref", r.Component.Ref);
                WriteScore(json, "cvssV3", r.Cve.V3Score);
                WriteScore(json, "cvssV2", r.Cve.V2Score);
                if (r.Statement is { } s)
                {
                    json.WriteStartObject("vex");
                    json.WriteString("status", s.Status);
                    json.WriteString("justification", s.Justification);
                    json.WriteString("detail", s.Detail);
                    json.WriteString("expires", s.Expires?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                    json.WriteString("source", s.Source);
                    json.WriteEndObject();
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("notes");
            foreach (var note in report.Notes)
            {
                json.WriteStringValue(note);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>SARIF 2.1.0: one rule per CVE, one result per affected component; VEX decisions are suppressions with their justification.</summary>
    public static byte[] Sarif(CveReport report) =>
        SarifLog.ToBytes(
            "iris-factory cve",
            report.Results.Select(r => r.Cve).DistinctBy(c => c.Id)
                .Select(cve => new SarifRule(cve.Id, cve.Description.Length > 0 ? cve.Description : cve.Id, $"https://nvd.nist.gov/vuln/detail/{cve.Id}")),
            report.Results.Select(r => new SarifResult(
                r.Cve.Id,
                r.Decision switch { CveDecision.Fail => "error", CveDecision.Review => "warning", _ => "note" },
                $"{r.Cve.Id} in {r.Component.Name} {r.Component.Version}: {Label(r.Decision)} (CVSS v3 {Score(r.Cve.V3Score)}, v2 {Score(r.Cve.V2Score)})",
                r.Component.Ref,
                "module",
                r.Component.Name,
                r.Statement is null ? null : Statement(r))));

    /// <summary>Writes PREFIX.md, PREFIX.json and PREFIX.sarif.</summary>
    public static void WriteAll(CveReport report, string prefix)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(prefix)) is { } directory)
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllText(prefix + ".md", Markdown(report));
        File.WriteAllBytes(prefix + ".json", Json(report));
        File.WriteAllBytes(prefix + ".sarif", Sarif(report));
    }

    public static string Label(CveDecision decision) => decision switch
    {
        CveDecision.Fail => "fail",
        CveDecision.Review => "review",
        CveDecision.Below => "below-high",
        _ => "not-affected",
    };

    private static string Statement(CveResult r) => r.Statement is { } s
        ? $"{s.Status}: {s.Justification}{(s.Detail is { Length: > 0 } d ? " — " + d : "")} (until {s.Expires:yyyy-MM-dd}, {s.Source})"
        : "";

    private static int Count(CveReport report, CveDecision decision) => report.Results.Count(r => r.Decision == decision);

    private static string Score(double? score) => score?.ToString("0.0", CultureInfo.InvariantCulture) ?? "—";

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");

    private static void WriteScore(Utf8JsonWriter json, string name, double? score)
    {
        if (score is { } value)
        {
            json.WriteNumber(name, value);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
