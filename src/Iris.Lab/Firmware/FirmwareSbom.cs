using System.Text.Json;
using Iris.Factory.Cve;
using Iris.Factory.Sbom;

namespace Iris.Lab.Firmware;

/// <summary>
/// The software bill of materials of an unpacked firmware image: the packages its dpkg or opkg status file lists
/// as installed (dpkg read by the factory's own <see cref="DebianPackages"/> reader), and the daemons and libraries
/// whose binaries name their version (<see cref="DaemonVersions"/>), written as CycloneDX 1.6 with a purl and a CPE
/// per component, in the form the factory's CVE gate reads (<see cref="Inventory.FromSbom"/>).
/// </summary>
internal static class FirmwareSbom
{
    public static IReadOnlyList<FirmwareComponent> Collect(IEnumerable<(string Path, string Name)> files, IReadOnlyDictionary<string, string[]> aliases)
    {
        var packages = new List<FirmwareComponent>();
        var daemons = new List<FirmwareComponent>();
        foreach (var (path, name) in files)
        {
            if (name.EndsWith("var/lib/dpkg/status", StringComparison.Ordinal))
            {
                packages.AddRange(DebianPackages.Read(path, aliases).Select(c => new FirmwareComponent(c.Name, c.Version, c.Purl, c.Cpe!, name)));
            }
            else if (name.EndsWith("opkg/status", StringComparison.Ordinal))
            {
                packages.AddRange(Opkg(path, name, aliases));
            }
            else
            {
                daemons.AddRange(DaemonVersions.Read(path, name));
            }
        }

        // A daemon seen by its version string that a package already lists (libssl3 and the OpenSSL text in it) is one component.
        var listed = packages.Select(p => Key(p.Cpe)).ToHashSet(StringComparer.Ordinal);
        var result = packages.DistinctBy(p => (p.Name, p.Version)).ToList();
        result.AddRange(daemons.Where(d => !listed.Contains(Key(d.Cpe))).DistinctBy(d => (d.Name, d.Version)));
        return result;
    }

    /// <summary>opkg's status file (OpenWrt and its kin): dpkg's format, "install user installed" or "install ok installed".</summary>
    private static IEnumerable<FirmwareComponent> Opkg(string path, string location, IReadOnlyDictionary<string, string[]> aliases)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(path).Append(""))
        {
            if (line.Length == 0)
            {
                if (fields.GetValueOrDefault("Status", "").EndsWith(" installed", StringComparison.Ordinal) && fields.TryGetValue("Package", out var name)
                    && fields.TryGetValue("Version", out var version))
                {
                    var upstream = VersionOrder.Upstream(version);
                    var pair = aliases.GetValueOrDefault(name.ToLowerInvariant())?.FirstOrDefault()?.Split(':') is [var vendor, var product] ? $"{vendor}:{product}" : $"{name}:{name}";
                    yield return new FirmwareComponent(name, version, $"pkg:generic/{name}@{Uri.EscapeDataString(version)}?type=opkg",
                        $"cpe:2.3:a:{pair.ToLowerInvariant()}:{upstream.ToLowerInvariant()}:*:*:*:*:*:*:*", location);
                }

                fields.Clear();
            }
            else if (!char.IsWhiteSpace(line[0]) && line.IndexOf(':', StringComparison.Ordinal) is var colon and > 0)
            {
                fields[line[..colon]] = line[(colon + 1)..].Trim();
            }
        }
    }

    public static void Write(string path, string firmware, IReadOnlyList<FirmwareComponent> components, DateTimeOffset now)
    {
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("bomFormat", "CycloneDX");
        json.WriteString("specVersion", "1.6");
        json.WriteString("serialNumber", $"urn:uuid:{Guid.NewGuid()}");
        json.WriteNumber("version", 1);
        json.WriteStartObject("metadata");
        json.WriteString("timestamp", now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
        json.WriteStartObject("component");
        json.WriteString("type", "firmware");
        json.WriteString("name", firmware);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteStartArray("components");
        foreach (var (component, index) in components.Select((c, i) => (c, i)))
        {
            json.WriteStartObject();
            json.WriteString("type", "application");
            json.WriteString("bom-ref", $"{component.Purl}#{index}");
            json.WriteString("name", component.Name);
            json.WriteString("version", component.Version);
            json.WriteString("purl", component.Purl);
            json.WriteString("cpe", component.Cpe);
            json.WriteStartObject("evidence");
            json.WriteStartArray("occurrences");
            json.WriteStartObject();
            json.WriteString("location", component.Location);
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static string Key(string cpe) => string.Join(':', cpe.Split(':').Skip(3).Take(3));
}
