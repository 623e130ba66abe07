namespace Iris.Factory.Sbom;

/// <summary>
/// The Debian packages of a root file system, from its dpkg status file (<c>var/lib/dpkg/status</c>): every package
/// whose status is "install ok installed", with its package URL and a CPE from the alias list (or its source name).
/// </summary>
internal static class DebianPackages
{
    public static IEnumerable<SbomComponent> Read(string statusFile, IReadOnlyDictionary<string, string[]> aliases)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(statusFile).Append(""))
        {
            if (line.Length == 0)
            {
                if (fields.GetValueOrDefault("Status") == "install ok installed" && fields.TryGetValue("Package", out var name) && fields.TryGetValue("Version", out var version))
                {
                    yield return Component(name, version, fields.GetValueOrDefault("Architecture", "all"), fields.GetValueOrDefault("Source"), aliases);
                }

                fields.Clear();
            }
            else if (!char.IsWhiteSpace(line[0]) && line.IndexOf(':', StringComparison.Ordinal) is var colon and > 0)
            {
                fields[line[..colon]] = line[(colon + 1)..].Trim();
            }
        }
    }

    private static SbomComponent Component(string name, string version, string architecture, string? source, IReadOnlyDictionary<string, string[]> aliases)
    {
        // "Source: openssl (3.0.15-1)" names the source package, whose name is usually the upstream project's.
        var sourceName = source?.Split(' ')[0] ?? name;
        var upstream = Cve.VersionOrder.Upstream(version);
        var alias = aliases.GetValueOrDefault(name.ToLowerInvariant())?.FirstOrDefault()?.Split(':');
        var cpe = alias switch
        {
            [var vendor, var product] => $"cpe:2.3:a:{vendor}:{product}:{upstream}:*:*:*:*:*:*:*",
            [var part, var vendor, var product] => $"cpe:2.3:{part}:{vendor}:{product}:{upstream}:*:*:*:*:*:*:*",
            _ => $"cpe:2.3:a:{Escape(sourceName)}:{Escape(sourceName)}:{Escape(upstream)}:*:*:*:*:*:*:*",
        };
        return new SbomComponent("library", name, version, $"pkg:deb/debian/{name}@{Uri.EscapeDataString(version)}?arch={architecture}", cpe, null, [], "Debian");
    }

    private static string Escape(string value) => value.Replace(":", "\\:", StringComparison.Ordinal).Replace("+", "\\+", StringComparison.Ordinal);
}
