using System.Globalization;
using System.Text.Json;

namespace Iris.Factory.Cve;

/// <summary>A VEX statement: that a CVE does not affect some products, why (justification), and until when.</summary>
internal sealed record VexStatement(string Cve, IReadOnlyList<string> Products, string Status, string? Justification, string? Detail, DateOnly? Expires, string Source)
{
    /// <summary>Whether it names the component (by bom-ref, package URL, CPE, name or name@version); no products means all.</summary>
    public bool Names(InventoryComponent component) =>
        Products.Count == 0 || Products.Any(p => p == component.Ref || string.Equals(p, component.Name, StringComparison.OrdinalIgnoreCase)
            || p == $"{component.Name}@{component.Version}" || component.Cpes.Any(c => string.Equals(c.ToString(), p, StringComparison.OrdinalIgnoreCase)));
}

/// <summary>
/// Reads CycloneDX VEX (<c>vulnerabilities[].analysis</c>, state <c>not_affected</c>, the expiry as the property
/// <c>iris:expires</c>) and OpenVEX (<c>statements[]</c>, status <c>not_affected</c>, the expiry as <c>expires</c>).
/// Neither standard has an expiry field; the gate requires one so that a "not affected" is looked at again.
/// </summary>
internal static class VexStatements
{
    public static IReadOnlyList<VexStatement> Read(IEnumerable<string> files)
    {
        var statements = new List<VexStatement>();
        foreach (var file in files)
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(file));
            var root = document.RootElement;
            var source = Path.GetFileName(file);
            if (root.TryGetProperty("statements", out var openVex))
            {
                foreach (var s in openVex.EnumerateArray())
                {
                    var products = s.TryGetProperty("products", out var p) ? p.EnumerateArray().Select(x => Text(x, "@id") ?? "").Where(x => x.Length > 0).ToList() : [];
                    statements.Add(new VexStatement(Text(s.GetProperty("vulnerability"), "name") ?? "", products, Text(s, "status") ?? "",
                        Text(s, "justification"), Text(s, "impact_statement"), Date(Text(s, "expires")), source));
                }
            }
            else if (root.TryGetProperty("vulnerabilities", out var cycloneDx))
            {
                foreach (var v in cycloneDx.EnumerateArray())
                {
                    var analysis = v.TryGetProperty("analysis", out var a) ? a : default;
                    var products = v.TryGetProperty("affects", out var affects) ? affects.EnumerateArray().Select(x => Text(x, "ref") ?? "").Where(x => x.Length > 0).ToList() : [];
                    var expires = v.TryGetProperty("properties", out var properties)
                        ? properties.EnumerateArray().Where(x => Text(x, "name") == "iris:expires").Select(x => Text(x, "value")).FirstOrDefault()
                        : null;
                    var state = analysis.ValueKind == JsonValueKind.Object ? Text(analysis, "state") ?? "" : "";
                    statements.Add(new VexStatement(Text(v, "id") ?? "", products, state,
                        analysis.ValueKind == JsonValueKind.Object ? Text(analysis, "justification") : null,
                        analysis.ValueKind == JsonValueKind.Object ? Text(analysis, "detail") : null, Date(expires), source));
                }
            }
            else
            {
                throw new InvalidDataException($"'{file}' is neither OpenVEX (statements) nor CycloneDX VEX (vulnerabilities).");
            }
        }

        return statements;
    }

    private static DateOnly? Date(string? text) =>
        text is not null && DateOnly.TryParse(text.Length >= 10 ? text[..10] : text, CultureInfo.InvariantCulture, out var date) ? date : null;

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
