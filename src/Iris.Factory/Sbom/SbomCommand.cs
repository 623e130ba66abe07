using System.CommandLine;

namespace Iris.Factory.Sbom;

/// <summary><c>iris-factory sbom</c>: writes a release's CycloneDX SBOM; <c>release</c> writes the same into the release it signs.</summary>
internal static class SbomCommand
{
    public static Option<string?> DpkgStatus() => new("--dpkg-status") { Description = "The target's dpkg status file (default: var/lib/dpkg/status inside the release, if any)." };

    public static Option<string?> DotnetRoot() => new("--dotnet-root")
    {
        Description = "Where the target's .NET runtime is installed (shared/Microsoft.NETCore.App/VERSION): a framework-dependent release "
            + "is recorded with the newest patch installed there, as the host rolls forward to it (default: the runtime running this tool).",
    };

    public static Command Create(TextWriter output)
    {
        var from = FactoryCli.Required("--from", "The release directory (published camera application or root file system).");
        var name = new Option<string>("--name") { DefaultValueFactory = _ => "iris-camera", Description = "Name of the release in the SBOM." };
        var version = FactoryCli.Required("--version", "Version of the release.");
        var outFile = FactoryCli.Required("--out", "Where to write the SBOM (CycloneDX 1.6 JSON).");
        var dpkg = DpkgStatus();
        var aliases = Cve.CveCommand.Aliases();
        var dotnetRoot = DotnetRoot();
        var command = new Command("sbom", "Write the release's SBOM (CycloneDX 1.6): .NET runtime, packages, native libraries, Debian packages.") { from, name, version, outFile, dpkg, aliases, dotnetRoot };
        command.SetAction(result =>
        {
            var count = Write(result.GetValue(from)!, result.GetValue(name)!, result.GetValue(version)!, result.GetValue(dpkg), result.GetValue(aliases), result.GetValue(outFile)!, result.GetValue(dotnetRoot));
            output.WriteLine($"sbom: {count} components in {result.GetValue(outFile)}");
            return 0;
        });
        return command;
    }

    /// <summary>Builds and writes the SBOM; returns the number of components.</summary>
    public static int Write(string release, string name, string version, string? dpkgStatus, string? aliasFile, string outFile) =>
        Write(release, name, version, dpkgStatus, aliasFile, outFile, dotnetRoot: null);

    /// <summary>Builds and writes the SBOM, with the framework-dependent runtime as installed under <paramref name="dotnetRoot"/>; returns the number of components.</summary>
    public static int Write(string release, string name, string version, string? dpkgStatus, string? aliasFile, string outFile, string? dotnetRoot) =>
        Write(release, name, version, dpkgStatus, aliasFile, outFile, dotnetRoot, []);

    /// <summary>As above, with facts about the release recorded in the SBOM's metadata (see <see cref="SbomBuilder.Write(string, string, IReadOnlyList{SbomComponent}, DateTimeOffset, IReadOnlyList{KeyValuePair{string, string}})"/>).</summary>
    public static int Write(string release, string name, string version, string? dpkgStatus, string? aliasFile, string outFile, string? dotnetRoot,
        IReadOnlyList<KeyValuePair<string, string>> properties)
    {
        if (!Directory.Exists(release))
        {
            throw new ArgumentException($"'{release}' is not a directory.");
        }

        var aliases = Cve.Inventory.LoadAliases(aliasFile is not null && File.Exists(aliasFile) ? aliasFile : null);
        IReadOnlyList<SbomComponent> components;
        try
        {
            components = SbomBuilder.Components(release, dpkgStatus, aliases, dotnetRoot);
        }
        catch (KeyNotFoundException e)
        {
            throw new InvalidDataException($"A .deps.json or .runtimeconfig.json file lacks a required field: {e.Message}", e);
        }

        File.WriteAllBytes(outFile, SbomBuilder.Write(name, version, components, TimeProvider.System.GetUtcNow(), properties));
        return components.Count;
    }
}
