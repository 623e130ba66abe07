using System.Text.Json;

namespace Iris.Factory.Sbom;

/// <summary>
/// The .NET part of a release, from the files the SDK writes: the runtime frameworks (<c>*.runtimeconfig.json</c>),
/// the NuGet packages and projects with the assemblies and native libraries each put in the release
/// (<c>*.deps.json</c>: runtime, native and runtimeTargets assets). Only files that are in the release are named.
/// </summary>
internal static class DotnetComponents
{
    public static IEnumerable<SbomComponent> Read(string release)
    {
        foreach (var config in Directory.EnumerateFiles(release, "*.runtimeconfig.json").Order(StringComparer.Ordinal))
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(config));
            var options = document.RootElement.GetProperty("runtimeOptions");
            var frameworks = options.TryGetProperty("frameworks", out var list) ? list.EnumerateArray().ToList()
                : options.TryGetProperty("framework", out var one) ? [one] : [];
            foreach (var framework in frameworks)
            {
                var name = framework.GetProperty("name").GetString()!;
                var version = framework.GetProperty("version").GetString()!;
                var cpe = name switch
                {
                    "Microsoft.NETCore.App" => $"cpe:2.3:a:microsoft:.net:{version}:*:*:*:*:*:*:*",
                    "Microsoft.AspNetCore.App" => $"cpe:2.3:a:microsoft:asp.net_core:{version}:*:*:*:*:*:*:*",
                    _ => null,
                };
                yield return new SbomComponent("framework", name, version, $"pkg:nuget/{name}@{version}", cpe, null, [], "Microsoft");
            }
        }

        foreach (var deps in Directory.EnumerateFiles(release, "*.deps.json").Order(StringComparer.Ordinal))
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(deps));
            var root = document.RootElement;
            var libraries = root.GetProperty("libraries");
            foreach (var target in root.GetProperty("targets").EnumerateObject())
            {
                foreach (var library in target.Value.EnumerateObject())
                {
                    var slash = library.Name.IndexOf('/', StringComparison.Ordinal);
                    var (name, version) = (library.Name[..slash], library.Name[(slash + 1)..]);
                    var info = libraries.GetProperty(library.Name);
                    var type = info.GetProperty("type").GetString();
                    var files = Assets(library.Value).Where(f => File.Exists(Path.Combine(release, f))).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
                    var sha512 = info.TryGetProperty("sha512", out var hash) && hash.GetString() is { Length: > 7 } h && h.StartsWith("sha512-", StringComparison.Ordinal)
                        ? Convert.ToHexStringLower(Convert.FromBase64String(h[7..]))
                        : null;
                    yield return new SbomComponent(type == "project" ? "application" : "library", name, version,
                        type == "project" ? $"pkg:generic/iris/{name}@{version}" : $"pkg:nuget/{name}@{version}", null, sha512, files);
                }
            }
        }
    }

    /// <summary>Where each asset lands: runtime and native assets by file name in the application directory, RID-specific ones at their path.</summary>
    private static IEnumerable<string> Assets(JsonElement library)
    {
        foreach (var kind in new[] { "runtime", "native" })
        {
            if (library.TryGetProperty(kind, out var assets))
            {
                foreach (var asset in assets.EnumerateObject())
                {
                    yield return Path.GetFileName(asset.Name);
                }
            }
        }

        if (library.TryGetProperty("runtimeTargets", out var targets))
        {
            foreach (var asset in targets.EnumerateObject())
            {
                yield return asset.Name;
            }
        }
    }
}
