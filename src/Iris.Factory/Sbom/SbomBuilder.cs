using System.Security.Cryptography;
using System.Text.Json;

namespace Iris.Factory.Sbom;

/// <summary>
/// The SBOM of a release (CycloneDX 1.6 JSON, written here with System.Text.Json): the .NET runtime, packages and
/// projects from the SDK's files, the Debian packages from a dpkg status file when the release carries a root file
/// system (or the target's is given), and every assembly or native library no package claims, as a file with its
/// SHA-256. So every assembly the build ships is named by some component.
/// </summary>
internal static class SbomBuilder
{
    public const string FileName = "sbom.cdx.json";
    private static readonly string[] BinaryExtensions = [".dll", ".so", ".exe"];

    public static IReadOnlyList<SbomComponent> Components(string release, string? dpkgStatus, IReadOnlyDictionary<string, string[]> aliases) =>
        Components(release, dpkgStatus, aliases, dotnetRoot: null);

    /// <param name="dotnetRoot">The runtime a framework-dependent release runs on (see <see cref="DotnetComponents.Read(string, string?)"/>).</param>
    public static IReadOnlyList<SbomComponent> Components(string release, string? dpkgStatus, IReadOnlyDictionary<string, string[]> aliases, string? dotnetRoot)
    {
        var components = DotnetComponents.Read(release, dotnetRoot).ToList();
        var status = dpkgStatus ?? Path.Combine(release, "var", "lib", "dpkg", "status");
        if (File.Exists(status))
        {
            components.AddRange(DebianPackages.Read(status, aliases));
        }

        var claimed = components.SelectMany(c => c.Files).ToHashSet(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(release, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(release, file);
            if (!claimed.Contains(relative) && BinaryExtensions.Any(e => relative.EndsWith(e, StringComparison.Ordinal) || relative.Contains(".so.", StringComparison.Ordinal)))
            {
                using var stream = File.OpenRead(file);
                components.Add(new SbomComponent("file", relative, "", "", null, null, [relative]) { Sha256Hex = Convert.ToHexStringLower(SHA256.HashData(stream)) });
            }
        }

        return components;
    }

    public static byte[] Write(string name, string version, IReadOnlyList<SbomComponent> components, DateTimeOffset now) =>
        Write(name, version, components, now, []);

    /// <param name="properties">Facts about the release for <c>metadata.properties</c> (name, value), e.g. that the CVE gate did not run and why.</param>
    public static byte[] Write(string name, string version, IReadOnlyList<SbomComponent> components, DateTimeOffset now, IReadOnlyList<KeyValuePair<string, string>> properties)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("$schema", "http://cyclonedx.org/schema/bom-1.6.schema.json");
            json.WriteString("bomFormat", "CycloneDX");
            json.WriteString("specVersion", "1.6");
            json.WriteString("serialNumber", $"urn:uuid:{Guid.NewGuid()}");
            json.WriteNumber("version", 1);
            json.WriteStartObject("metadata");
            json.WriteString("timestamp", now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteStartObject("tools");
            json.WriteStartArray("components");
            json.WriteStartObject();
            json.WriteString("type", "application");
            json.WriteString("name", "iris-factory");
            json.WriteString("version", typeof(SbomBuilder).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteStartObject("component");
            json.WriteString("type", "firmware");
            json.WriteString("bom-ref", $"release:{name}@{version}");
            json.WriteString("name", name);
            json.WriteString("version", version);
            json.WriteEndObject();
            if (properties.Count > 0)
            {
                json.WriteStartArray("properties");
                foreach (var (key, value) in properties)
                {
                    json.WriteStartObject();
                    json.WriteString("name", key);
                    json.WriteString("value", value);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
            json.WriteStartArray("components");
            var refs = new HashSet<string>(StringComparer.Ordinal);
            foreach (var component in components)
            {
                WriteComponent(json, component, refs);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteComponent(Utf8JsonWriter json, SbomComponent c, HashSet<string> refs)
    {
        json.WriteStartObject();
        json.WriteString("type", c.Type);
        var reference = c.Purl.Length > 0 ? c.Purl : $"file:{c.Name}";
        // bom-refs must be unique; a package listed by two dependency files is still one reference each.
        var unique = reference;
        for (var i = 2; !refs.Add(unique); i++)
        {
            unique = $"{reference}#{i}";
        }

        json.WriteString("bom-ref", unique);
        if (c.Supplier is { } supplier)
        {
            json.WriteStartObject("supplier");
            json.WriteString("name", supplier);
            json.WriteEndObject();
        }

        json.WriteString("name", c.Name);
        if (c.Version.Length > 0)
        {
            json.WriteString("version", c.Version);
        }

        if (c.Sha512Hex is not null || c.Sha256Hex is not null)
        {
            json.WriteStartArray("hashes");
            json.WriteStartObject();
            json.WriteString("alg", c.Sha512Hex is not null ? "SHA-512" : "SHA-256");
            json.WriteString("content", c.Sha512Hex ?? c.Sha256Hex);
            json.WriteEndObject();
            json.WriteEndArray();
        }

        if (c.Purl.Length > 0)
        {
            json.WriteString("purl", c.Purl);
        }

        if (c.Cpe is not null)
        {
            json.WriteString("cpe", c.Cpe);
        }

        if (c.Files.Count > 0)
        {
            json.WriteStartObject("evidence");
            json.WriteStartArray("occurrences");
            foreach (var file in c.Files)
            {
                json.WriteStartObject();
                json.WriteString("location", file);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndObject();
    }
}
