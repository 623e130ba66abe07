using System.Text.Json;

namespace Iris.Factory.Cve;

/// <summary>
/// The components the CVE gate checks, read from a CycloneDX SBOM: each by the CPE the SBOM gives it and by the CPEs
/// of its aliases (<c>deploy/cve-aliases.txt</c>: a package's name, then the <c>[part:]vendor:product</c> pairs NVD
/// knows it by; Debian's libssl3 is openssl:openssl, libc6 is gnu:glibc). Debian versions are compared by their
/// upstream part (no epoch, no Debian revision).
/// </summary>
internal static class Inventory
{
    /// <summary>The SBOM as JSON, or one line saying what the file is not (a JSON error's own text names no file).</summary>
    public static JsonDocument ReadSbom(string sbomFile)
    {
        if (!File.Exists(sbomFile))
        {
            throw new ArgumentException($"The SBOM '{sbomFile}' does not exist.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(sbomFile));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The SBOM '{sbomFile}' is not JSON (line {e.LineNumber + 1}); give a CycloneDX JSON file such as 'iris-factory sbom' writes.", e);
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("bomFormat", out var format)
            || format.ValueKind != JsonValueKind.String || format.GetString() != "CycloneDX")
        {
            document.Dispose();
            throw new InvalidDataException($"The SBOM '{sbomFile}' is JSON but not CycloneDX (no \"bomFormat\": \"CycloneDX\").");
        }

        return document;
    }

    public static IReadOnlyList<InventoryComponent> FromSbom(string sbomFile, IReadOnlyDictionary<string, string[]> aliases)
    {
        using var document = ReadSbom(sbomFile);
        var result = new List<InventoryComponent>();
        if (document.RootElement.TryGetProperty("components", out var components))
        {
            foreach (var component in components.EnumerateArray())
            {
                var name = Text(component, "name") ?? "";
                var version = Text(component, "version") ?? "";
                var purl = Text(component, "purl") ?? "";
                var upstream = purl.StartsWith("pkg:deb/", StringComparison.Ordinal) ? VersionOrder.Upstream(version) : version;
                var cpes = new List<Cpe>();
                if (Cpe.TryParse(Text(component, "cpe")) is { } own)
                {
                    cpes.Add(own);
                }

                foreach (var alias in aliases.GetValueOrDefault(name.ToLowerInvariant(), []))
                {
                    var parts = alias.Split(':');
                    cpes.Add(parts.Length == 3 ? Cpe.Of(parts[0], parts[1], parts[2], upstream) : Cpe.Of("a", parts[0], parts[1], upstream));
                }

                result.Add(new InventoryComponent(Text(component, "bom-ref") ?? purl, name, version, cpes));
            }
        }

        return result;
    }

    public static IReadOnlyDictionary<string, string[]> LoadAliases(string? file)
    {
        var aliases = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (file is null)
        {
            return aliases;
        }

        foreach (var line in File.ReadAllLines(file).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')))
        {
            var parts = line.Split('=', 2, StringSplitOptions.TrimEntries);
            var targets = parts.Length == 2 ? parts[1].Split(' ', StringSplitOptions.RemoveEmptyEntries) : [];
            if (targets.Length == 0 || targets.Any(t => t.Split(':').Length is not (2 or 3)))
            {
                throw new FormatException($"Alias line '{line}' must be 'name = vendor:product [part:vendor:product ...]'.");
            }

            aliases[parts[0].ToLowerInvariant()] = targets;
        }

        return aliases;
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
