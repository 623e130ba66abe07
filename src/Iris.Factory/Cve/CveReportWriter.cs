using System.Globalization;
using System.Text;
using System.Text.Json;

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
    public static byte[] Sarif(CveReport report)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
            json.WriteString("version", "2.1.0");
            json.WriteStartArray("runs");
            json.WriteStartObject();
            json.WriteStartObject("tool");
            json.WriteStartObject("driver");
            json.WriteString("name", "iris-factory cve");
            json.WriteStartArray("rules");
            foreach (var cve in report.Results.Select(r => r.Cve).DistinctBy(c => c.Id))
            {
                json.WriteStartObject();
                json.WriteString("id", cve.Id);
                json.WriteStartObject("shortDescription");
                json.WriteString("text", cve.Description.Length > 0 ? cve.Description : cve.Id);
                json.WriteEndObject();
                json.WriteString("helpUri", $"https://nvd.nist.gov/vuln/detail/{cve.Id}");
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteStartArray("results");
            foreach (var r in report.Results)
            {
                json.WriteStartObject();
                json.WriteString("ruleId", r.Cve.Id);
                json.WriteString("level", r.Decision switch { CveDecision.Fail => "error", CveDecision.Review => "warning", _ => "note" });
                json.WriteStartObject("message");
                json.WriteString("text", $"{r.Cve.Id} in {r.Component.Name} {r.Component.Version}: {Label(r.Decision)} (CVSS v3 {Score(r.Cve.V3Score)}, v2 {Score(r.Cve.V2Score)})");
                json.WriteEndObject();
                json.WriteStartArray("locations");
                json.WriteStartObject();
                json.WriteStartArray("logicalLocations");
                json.WriteStartObject();
                json.WriteString("name", r.Component.Name);
                json.WriteString("fullyQualifiedName", r.Component.Ref);
                json.WriteString("kind", "module");
                json.WriteEndObject();
                json.WriteEndArray();
                json.WriteEndObject();
                json.WriteEndArray();
                if (r.Statement is { } s)
                {
                    json.WriteStartArray("suppressions");
                    json.WriteStartObject();
                    json.WriteString("kind", "external");
                    json.WriteString("justification", Statement(r));
                    json.WriteEndObject();
                    json.WriteEndArray();
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

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
