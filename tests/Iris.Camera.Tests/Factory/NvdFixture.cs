using System.Text.Json.Nodes;

namespace Iris.Camera.Tests.Factory;

/// <summary>Writes NVD CVE API 2.0 response files and CycloneDX SBOMs the way NVD and the factory shape them.</summary>
internal static class NvdFixture
{
    public static JsonObject Match(string criteria, bool vulnerable = true, string? startIncluding = null, string? startExcluding = null,
        string? endIncluding = null, string? endExcluding = null)
    {
        var match = new JsonObject { ["vulnerable"] = vulnerable, ["criteria"] = criteria, ["matchCriteriaId"] = Guid.NewGuid().ToString().ToUpperInvariant() };
        void Set(string name, string? value)
        {
            if (value is not null)
            {
                match[name] = value;
            }
        }

        Set("versionStartIncluding", startIncluding);
        Set("versionStartExcluding", startExcluding);
        Set("versionEndIncluding", endIncluding);
        Set("versionEndExcluding", endExcluding);
        return match;
    }

    public static JsonObject Node(string op, bool negate, params JsonObject[] matches) =>
        new() { ["operator"] = op, ["negate"] = negate, ["cpeMatch"] = new JsonArray([.. matches]) };

    public static JsonObject Configuration(string? op, params JsonObject[] nodes)
    {
        var configuration = new JsonObject { ["nodes"] = new JsonArray([.. nodes]) };
        if (op is not null)
        {
            configuration["operator"] = op;
        }

        return configuration;
    }

    /// <summary>A CVE record; <paramref name="v31"/>, <paramref name="v30"/> and <paramref name="v2"/> are base scores (null: no such metric).</summary>
    public static JsonObject Cve(string id, double? v31, double? v2, params JsonObject[] configurations) => Record(id, v31, null, v2, configurations);

    /// <summary>A record scored with CVSS v3.0 only (older records).</summary>
    public static JsonObject CveV30(string id, double v30, double? v2, params JsonObject[] configurations) => Record(id, null, v30, v2, configurations);

    private static JsonObject Record(string id, double? v31, double? v30, double? v2, JsonObject[] configurations)
    {
        var metrics = new JsonObject();
        if (v31 is { } a)
        {
            metrics["cvssMetricV31"] = new JsonArray(Metric("3.1", a));
        }

        if (v30 is { } b)
        {
            metrics["cvssMetricV30"] = new JsonArray(Metric("3.0", b));
        }

        if (v2 is { } c)
        {
            metrics["cvssMetricV2"] = new JsonArray(new JsonObject
            {
                ["source"] = "nvd@nist.gov", ["type"] = "Primary",
                ["cvssData"] = new JsonObject { ["version"] = "2.0", ["vectorString"] = "AV:N/AC:L/Au:N/C:P/I:P/A:P", ["baseScore"] = c },
            });
        }

        return new JsonObject
        {
            ["cve"] = new JsonObject
            {
                ["id"] = id, ["sourceIdentifier"] = "cve@mitre.org", ["published"] = "2026-01-02T03:04:05.000", ["vulnStatus"] = "Analyzed",
                ["descriptions"] = new JsonArray(new JsonObject { ["lang"] = "en", ["value"] = $"Planted vulnerability {id}." }),
                ["metrics"] = metrics,
                ["configurations"] = new JsonArray([.. configurations]),
            },
        };
    }

    public static void WriteMirror(string directory, params JsonObject[] cves)
    {
        Directory.CreateDirectory(directory);
        var response = new JsonObject
        {
            ["resultsPerPage"] = cves.Length, ["startIndex"] = 0, ["totalResults"] = cves.Length, ["format"] = "NVD_CVE", ["version"] = "2.0",
            ["timestamp"] = "2026-11-29T00:00:00.000", ["vulnerabilities"] = new JsonArray([.. cves]),
        };
        File.WriteAllText(Path.Combine(directory, "nvdcve-2.0-page-0.json"), response.ToJsonString());
    }

    /// <summary>A CycloneDX SBOM with the given components: (name, version, purl, cpe or null).</summary>
    public static void WriteSbom(string file, params (string Name, string Version, string Purl, string? Cpe)[] components)
    {
        var list = new JsonArray();
        foreach (var (name, version, purl, cpe) in components)
        {
            var component = new JsonObject { ["type"] = "library", ["bom-ref"] = purl, ["name"] = name, ["version"] = version, ["purl"] = purl };
            if (cpe is not null)
            {
                component["cpe"] = cpe;
            }

            list.Add(component);
        }

        File.WriteAllText(file, new JsonObject { ["bomFormat"] = "CycloneDX", ["specVersion"] = "1.6", ["version"] = 1, ["components"] = list }.ToJsonString());
    }

    private static JsonObject Metric(string version, double score) => new()
    {
        ["source"] = "nvd@nist.gov", ["type"] = "Primary",
        ["cvssData"] = new JsonObject { ["version"] = version, ["vectorString"] = $"CVSS:{version}/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", ["baseScore"] = score },
    };
}
