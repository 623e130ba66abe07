using System.Text.Json;

namespace Iris.Factory.Sbom;

/// <summary>
/// The .NET part of a release, from the files the SDK writes: the runtime frameworks (<c>*.runtimeconfig.json</c>),
/// the NuGet packages and projects with the assemblies and native libraries each put in the release
/// (<c>*.deps.json</c>: runtime, native and runtimeTargets assets). Only files that are in the release are named.
/// </summary>
internal static partial class DotnetComponents
{
    public static IEnumerable<SbomComponent> Read(string release) => Read(release, dotnetRoot: null);

    /// <param name="release">The published application.</param>
    /// <param name="dotnetRoot">
    /// Where the runtime a framework-dependent release will run on is installed (its <c>shared/NAME/VERSION</c>
    /// directories). The runtimeconfig names only the lowest version it accepts (10.0.0); the host rolls forward to
    /// the newest installed patch, and that is the runtime whose CVEs count. Default: the installed runtime this tool runs on;
    /// a self-contained tool has none, and then the release is refused rather than recorded with a guessed version.
    /// </param>
    public static IEnumerable<SbomComponent> Read(string release, string? dotnetRoot) => Read(release, dotnetRoot, typeof(object).Assembly.Location);

    /// <param name="release">The published application.</param>
    /// <param name="dotnetRoot">As above.</param>
    /// <param name="runningCoreLib">Where this process's System.Private.CoreLib is (a test gives a self-contained layout).</param>
    internal static IEnumerable<SbomComponent> Read(string release, string? dotnetRoot, string runningCoreLib)
    {
        foreach (var config in Directory.EnumerateFiles(release, "*.runtimeconfig.json").Order(StringComparer.Ordinal))
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(config));
            var options = document.RootElement.GetProperty("runtimeOptions");
            // A self-contained release names the runtime it carries, exactly, under includedFrameworks.
            var included = options.TryGetProperty("includedFrameworks", out var carried);
            var frameworks = included ? carried.EnumerateArray().ToList()
                : options.TryGetProperty("frameworks", out var list) ? list.EnumerateArray().ToList()
                : options.TryGetProperty("framework", out var one) ? [one] : [];
            foreach (var framework in frameworks)
            {
                var name = framework.GetProperty("name").GetString()!;
                var requested = framework.GetProperty("version").GetString()!;
                var version = included ? requested : TargetPatch(dotnetRoot, runningCoreLib, name, requested);
                yield return new SbomComponent("framework", name, version, $"pkg:nuget/{name}@{version}", RuntimeCpe(name, version), null, [], "Microsoft");
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
                    // A self-contained release lists the runtime packs it copied ("runtimepack.Microsoft.NETCore.App.Runtime.linux-arm64"):
                    // they are the .NET runtime, and the CVE gate knows it only by its CPE.
                    var runtimePack = RuntimePack().Match(name);
                    var cpe = runtimePack.Success ? RuntimeCpe(runtimePack.Groups["framework"].Value, version) : null;
                    yield return new SbomComponent(type == "project" ? "application" : "library", name, version,
                        type == "project" ? $"pkg:generic/iris/{name}@{version}"
                        : runtimePack.Success ? $"pkg:nuget/{name["runtimepack.".Length..]}@{version}"
                        : $"pkg:nuget/{name}@{version}",
                        cpe, sha512, files, runtimePack.Success ? "Microsoft" : null);
                    if (name == "SQLitePCLRaw.lib.e_sqlite3" && files.Count > 0 && NativeSqlite.Version(release, files) is { } sqlite)
                    {
                        // The package's version is its own; the SQLite it bundles has another, and that is what CVEs name.
                        yield return new SbomComponent("library", "sqlite", sqlite, $"pkg:generic/sqlite@{sqlite}", $"cpe:2.3:a:sqlite:sqlite:{sqlite}:*:*:*:*:*:*:*", null, files, "SQLite");
                    }
                }
            }
        }
    }

    private static string? RuntimeCpe(string framework, string version) => framework switch
    {
        "Microsoft.NETCore.App" => $"cpe:2.3:a:microsoft:.net:{version}:*:*:*:*:*:*:*",
        "Microsoft.AspNetCore.App" => $"cpe:2.3:a:microsoft:asp.net_core:{version}:*:*:*:*:*:*:*",
        _ => null,
    };

    [System.Text.RegularExpressions.GeneratedRegex(@"^runtimepack\.(?<framework>Microsoft\.(?:NETCore|AspNetCore)\.App)\.Runtime\.", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex RuntimePack();

    /// <summary>
    /// The version a framework-dependent release will run with: the newest patch under <paramref name="dotnetRoot"/>,
    /// or, without one, under the installed runtime this tool runs on. Never a guess: a version recorded wrong hides
    /// the runtime's CVEs from the gate, so when there is nothing to read it from the command refuses and says why.
    /// </summary>
    private static string TargetPatch(string? dotnetRoot, string runningCoreLib, string framework, string requested)
    {
        var root = dotnetRoot ?? InstalledDotnetRoot(runningCoreLib)
            ?? throw new ArgumentException("This iris-factory carries its own runtime (self-contained), so it cannot tell which .NET patch a "
                + $"framework-dependent release will run on; give the target's runtime with --dotnet-root (for example ROOTFS/usr/share/dotnet, which holds shared/{framework}/).");
        return InstalledPatch(root, framework, requested)
            ?? throw new ArgumentException($"No {framework} {requested} or a later patch of it is installed under '{root}' (shared/{framework}/VERSION); "
                + "the release would not start there. Give the target's runtime with --dotnet-root.");
    }

    /// <summary>
    /// The dotnet root of an installed runtime this tool runs on (ROOT/shared/Microsoft.NETCore.App/VERSION/System.Private.CoreLib.dll),
    /// or null when the tool is self-contained (CoreLib next to the program) or single-file (no location): then no
    /// installed runtime is known.
    /// </summary>
    internal static string? InstalledDotnetRoot(string coreLib)
    {
        var versionDirectory = Path.GetDirectoryName(coreLib);
        var frameworkDirectory = Path.GetDirectoryName(versionDirectory);
        var shared = Path.GetDirectoryName(frameworkDirectory);
        return !string.IsNullOrEmpty(shared) && Version.TryParse(Path.GetFileName(versionDirectory), out _)
            && Path.GetFileName(frameworkDirectory) == "Microsoft.NETCore.App" && Path.GetFileName(shared) == "shared"
            ? Path.GetDirectoryName(shared)
            : null;
    }

    /// <summary>The newest installed patch of the requested major.minor at or above it (the host's default roll-forward), or null.</summary>
    private static string? InstalledPatch(string dotnetRoot, string framework, string requested)
    {
        var directory = Path.Combine(dotnetRoot, "shared", framework);
        if (!Version.TryParse(requested, out var minimum) || !Directory.Exists(directory))
        {
            return null;
        }

        return Directory.EnumerateDirectories(directory).Select(Path.GetFileName)
            .Select(name => Version.TryParse(name, out var v) ? v : null)
            .Where(v => v is not null && v.Major == minimum.Major && v.Minor == minimum.Minor && v >= minimum)
            .Max()?.ToString();
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
