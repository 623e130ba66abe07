using System.Text.Json;

namespace Iris.Shared;

/// <summary>A SARIF rule: what a result breaks (a CVE, a requirement item).</summary>
internal sealed record SarifRule(string Id, string Text, string? HelpUri = null);

/// <summary>
/// A SARIF result at a logical location (a component, a device): level "error", "warning" or "note", and a
/// suppression justification when a decision (a VEX statement) set it aside.
/// </summary>
internal sealed record SarifResult(string RuleId, string Level, string Message, string FullyQualifiedName, string Kind, string? LocationName = null, string? Suppression = null);

/// <summary>
/// SARIF 2.1.0, one run, written one way for the factory's CVE gate and the lab's audit, so code-scanning tools
/// read both alike. Compiled into the factory tool; the lab uses it from there.
/// </summary>
internal static class SarifLog
{
    public static byte[] ToBytes(string tool, IEnumerable<SarifRule> rules, IEnumerable<SarifResult> results)
    {
        using var buffer = new MemoryStream();
        Write(buffer, tool, rules, results);
        return buffer.ToArray();
    }

    public static void Write(Stream output, string tool, IEnumerable<SarifRule> rules, IEnumerable<SarifResult> results)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(results);
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
        json.WriteString("version", "2.1.0");
        json.WriteStartArray("runs");
        json.WriteStartObject();
        json.WriteStartObject("tool");
        json.WriteStartObject("driver");
        json.WriteString("name", tool);
        json.WriteStartArray("rules");
        foreach (var rule in rules)
        {
            json.WriteStartObject();
            json.WriteString("id", rule.Id);
            json.WriteStartObject("shortDescription");
            json.WriteString("text", rule.Text);
            json.WriteEndObject();
            if (rule.HelpUri is not null)
            {
                json.WriteString("helpUri", rule.HelpUri);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteStartArray("results");
        foreach (var result in results)
        {
            json.WriteStartObject();
            json.WriteString("ruleId", result.RuleId);
            json.WriteString("level", result.Level);
            json.WriteStartObject("message");
            json.WriteString("text", result.Message);
            json.WriteEndObject();
            json.WriteStartArray("locations");
            json.WriteStartObject();
            json.WriteStartArray("logicalLocations");
            json.WriteStartObject();
            if (result.LocationName is not null)
            {
                json.WriteString("name", result.LocationName);
            }

            json.WriteString("fullyQualifiedName", result.FullyQualifiedName);
            json.WriteString("kind", result.Kind);
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            if (result.Suppression is not null)
            {
                json.WriteStartArray("suppressions");
                json.WriteStartObject();
                json.WriteString("kind", "external");
                json.WriteString("justification", result.Suppression);
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
}
