using System.CommandLine;
using System.Security.Cryptography;
using Iris.Factory.Cve;
using Iris.Firmware.Metadata;

namespace Iris.Factory.Sbom;

/// <summary>
/// What <c>release</c> does before the secret gate: writes the SBOM into a directory release (<c>sbom.cdx.json</c>,
/// so it is inside the signed bundle and installed with the application), and, given the NVD mirror, runs the CVE
/// gate on it. An image release takes its SBOM from <c>--sbom</c>.
/// </summary>
internal static class ReleaseSupplyChain
{
    internal sealed class Options
    {
        public Option<string?> Sbom { get; } = new("--sbom") { Description = "The release's SBOM (required for the CVE gate of an image release; a directory release gets one written)." };

        public Option<string?> DpkgStatus { get; } = SbomCommand.DpkgStatus();

        public Option<string?> DotnetRoot { get; } = SbomCommand.DotnetRoot();

        public Option<string?> Nvd { get; } = CveCommand.Nvd();

        public Option<string[]> Vex { get; } = CveCommand.Vex();

        public Option<string> Aliases { get; } = CveCommand.Aliases();

        public Option<string?> Report { get; } = CveCommand.Report();

        public void AddTo(Command command)
        {
            foreach (var option in new Option[] { Sbom, DpkgStatus, DotnetRoot, Nvd, Vex, Aliases, Report })
            {
                command.Options.Add(option);
            }
        }
    }

    /// <summary>The SBOM to check: the one given, or the one written into a directory release; null when there is none.</summary>
    public static string? WriteSbom(ParseResult result, Options options, string source, bool isDirectory, string version, TextWriter output)
    {
        if (result.GetValue(options.Sbom) is { } given)
        {
            return File.Exists(given) ? given : throw new ArgumentException($"--sbom '{given}' does not exist.");
        }

        if (!isDirectory)
        {
            return null;
        }

        var file = Path.Combine(source, SbomBuilder.FileName);
        var count = SbomCommand.Write(source, "iris-camera", version, result.GetValue(options.DpkgStatus), result.GetValue(options.Aliases), file, result.GetValue(options.DotnetRoot));
        output.WriteLine($"sbom: {count} components in {SbomBuilder.FileName}");
        return file;
    }

    /// <summary>The SBOM's name, length and SHA-256 for the signed targets metadata.</summary>
    public static SbomPin Pin(string sbom)
    {
        using var stream = File.OpenRead(sbom);
        var hash = SHA256.HashData(stream);
        return new SbomPin(Path.GetFileName(sbom), stream.Length, Convert.ToHexStringLower(hash));
    }

    /// <summary>Runs the CVE gate when an NVD mirror is given; false when it fails.</summary>
    public static async Task<bool> CveGateAsync(ParseResult result, Options options, string? sbom, TextWriter output)
    {
        if (result.GetValue(options.Nvd) is not { } nvd)
        {
            await output.WriteLineAsync("cve: no --nvd mirror given; the CVE gate did not run");
            return true;
        }

        var file = sbom ?? throw new ArgumentException("The CVE gate of an image release needs its SBOM (--sbom).");
        var report = await CveCommand.RunAsync(file, nvd, result.GetValue(options.Vex) ?? [], result.GetValue(options.Aliases), result.GetValue(options.Report), output);
        return !report.Failed;
    }
}
