using System.Text.Json;

namespace Iris.Factory.Cve;

/// <summary>One CPE match of an NVD configuration node, with its version range.</summary>
internal sealed record CpeMatch(Cpe Criteria, bool Vulnerable, string? StartIncluding, string? StartExcluding, string? EndIncluding, string? EndExcluding);

/// <summary>A node: CPE matches joined by OR or AND, possibly negated.</summary>
internal sealed record ConfigurationNode(bool And, bool Negate, IReadOnlyList<CpeMatch> Matches);

/// <summary>A configuration: nodes joined by OR or AND (AND ties a vulnerable product to the platform it runs on).</summary>
internal sealed record Configuration(bool And, IReadOnlyList<ConfigurationNode> Nodes);

/// <summary>What the gate needs of one CVE record of the NVD CVE API 2.0.</summary>
internal sealed record NvdCve(string Id, string Description, double? V3Score, string? V3Vector, double? V2Score, IReadOnlyList<Configuration> Configurations);

/// <summary>
/// The vendor's mirror of NVD: a directory of NVD CVE API 2.0 response files (<c>{"vulnerabilities":[{"cve":…}]}</c>),
/// read file by file; nothing is fetched at gate time. Rejected records are left out.
/// </summary>
internal static class NvdMirror
{
    public static IEnumerable<NvdCve> Read(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new ArgumentException($"'{directory}' is not a directory of NVD CVE API 2.0 files.");
        }

        foreach (var file in Directory.EnumerateFiles(directory, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            using var stream = File.OpenRead(file);
            using var document = JsonDocument.Parse(stream);
            if (!document.RootElement.TryGetProperty("vulnerabilities", out var vulnerabilities))
            {
                throw new InvalidDataException($"'{file}' is not an NVD CVE API 2.0 response (no 'vulnerabilities').");
            }

            foreach (var item in vulnerabilities.EnumerateArray())
            {
                var cve = item.GetProperty("cve");
                if (Text(cve, "vulnStatus") != "Rejected")
                {
                    yield return Parse(cve);
                }
            }
        }
    }

    private static NvdCve Parse(JsonElement cve)
    {
        var description = cve.TryGetProperty("descriptions", out var descriptions)
            ? descriptions.EnumerateArray().Where(d => Text(d, "lang") == "en").Select(d => Text(d, "value")).FirstOrDefault() ?? ""
            : "";
        double? v3 = null;
        string? vector = null;
        double? v2 = null;
        if (cve.TryGetProperty("metrics", out var metrics))
        {
            // The highest v3 score any source gave: a vendor's lower reassessment does not hide NVD's.
            foreach (var key in new[] { "cvssMetricV31", "cvssMetricV30" })
            {
                if (metrics.TryGetProperty(key, out var list))
                {
                    foreach (var metric in list.EnumerateArray())
                    {
                        var data = metric.GetProperty("cvssData");
                        var score = data.GetProperty("baseScore").GetDouble();
                        if (v3 is null || score > v3)
                        {
                            v3 = score;
                            vector = Text(data, "vectorString");
                        }
                    }
                }
            }

            if (metrics.TryGetProperty("cvssMetricV2", out var v2List))
            {
                v2 = v2List.EnumerateArray().Select(m => (double?)m.GetProperty("cvssData").GetProperty("baseScore").GetDouble()).Max();
            }
        }

        var configurations = new List<Configuration>();
        if (cve.TryGetProperty("configurations", out var configs))
        {
            foreach (var config in configs.EnumerateArray())
            {
                var nodes = config.GetProperty("nodes").EnumerateArray().Select(node => new ConfigurationNode(
                    Text(node, "operator") == "AND",
                    node.TryGetProperty("negate", out var negate) && negate.GetBoolean(),
                    [.. node.GetProperty("cpeMatch").EnumerateArray().Select(ParseMatch).OfType<CpeMatch>()])).ToList();
                configurations.Add(new Configuration(Text(config, "operator") == "AND", nodes));
            }
        }

        return new NvdCve(Text(cve, "id") ?? throw new InvalidDataException("A CVE record has no id."), description, v3, vector, v2, configurations);
    }

    private static CpeMatch? ParseMatch(JsonElement match) =>
        Cpe.TryParse(Text(match, "criteria")) is { } criteria
            ? new CpeMatch(criteria, match.GetProperty("vulnerable").GetBoolean(), Text(match, "versionStartIncluding"), Text(match, "versionStartExcluding"),
                Text(match, "versionEndIncluding"), Text(match, "versionEndExcluding"))
            : null;

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
