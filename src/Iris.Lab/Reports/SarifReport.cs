using System.Text.Json;
using Iris.Lab.Audit;

namespace Iris.Lab.Reports;

/// <summary>findings.sarif (SARIF 2.1.0): one rule per IoT-1005-1 item, one result per finding, so code-scanning
/// tools show the lab's findings next to the factory gate's.</summary>
internal static class SarifReport
{
    public static void Write(AuditReport report, Stream output)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
        json.WriteString("version", "2.1.0");
        json.WriteStartArray("runs");
        json.WriteStartObject();
        json.WriteStartObject("tool");
        json.WriteStartObject("driver");
        json.WriteString("name", "iris-lab");
        json.WriteStartArray("rules");
        foreach (var r in Requirements.All)
        {
            json.WriteStartObject();
            json.WriteString("id", r.Id);
            json.WriteStartObject("shortDescription");
            json.WriteString("text", r.TitleEn);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteStartArray("results");
        foreach (var f in report.Findings)
        {
            json.WriteStartObject();
            json.WriteString("ruleId", f.Item);
            json.WriteString("level", f.Severity >= Severity.High ? "error" : f.Severity == Severity.Medium ? "warning" : "note");
            json.WriteStartObject("message");
            json.WriteString("text", $"{f.Title}. {f.Evidence} Reproduce: {f.Reproduce}");
            json.WriteEndObject();
            json.WriteStartArray("locations");
            json.WriteStartObject();
            json.WriteStartArray("logicalLocations");
            json.WriteStartObject();
            json.WriteString("fullyQualifiedName", report.Target);
            json.WriteString("kind", "device");
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    }
}
