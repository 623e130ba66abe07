using System.CommandLine;
using System.Security.Cryptography;
using Iris.Factory.Cve;
using Iris.Firmware.Metadata;

namespace Iris.Factory.Sbom;

/// <summary>
/// What <c>release</c> does before the secret gate: builds the SBOM of a directory release in the owner-only staging
/// directory (it goes into the signed bundle as <c>sbom.cdx.json</c> and is installed with the application; the
/// directory being released is never written to), and runs the CVE gate on it against the NVD mirror. Without a
/// mirror the release is refused unless <c>--no-cve-gate REASON</c> says why, and the reason goes into the SBOM.
/// An image release takes its SBOM from <c>--sbom</c>.
/// </summary>
internal static class ReleaseSupplyChain
{
    /// <summary>The SBOM metadata property that records a release published without the CVE gate, and why.</summary>
    public const string SkippedProperty = "iris:cve-gate-not-run";

    /// <summary>The SBOM a release carries and pins: where it is now, and whether it goes into the bundle beside the directory's files.</summary>
    public sealed record ReleaseSbom(string Path, bool AddToBundle);

    internal sealed class Options
    {
        public Option<string?> Sbom { get; } = new("--sbom") { Description = "The release's SBOM (required for the CVE gate of an image release; a directory release gets one written)." };

        public Option<string?> SbomOut { get; } = new("--sbom-out") { Description = "Also write a copy of the SBOM the release carries here (to hand out; the signed targets pin its hash)." };

        public Option<string?> DpkgStatus { get; } = SbomCommand.DpkgStatus();

        public Option<string?> DotnetRoot { get; } = SbomCommand.DotnetRoot();

        public Option<string?> Nvd { get; } = CveCommand.Nvd();

        public Option<string?> NoCveGate { get; } = new("--no-cve-gate")
        {
            Description = "Publish without the CVE gate (no NVD mirror): REASON is printed and recorded in the release's SBOM (" + SkippedProperty + ").",
        };

        public Option<string[]> Vex { get; } = CveCommand.Vex();

        public Option<string> Aliases { get; } = CveCommand.Aliases();

        public Option<string?> Report { get; } = CveCommand.Report();

        public void AddTo(Command command)
        {
            foreach (var option in new Option[] { Sbom, SbomOut, DpkgStatus, DotnetRoot, Nvd, NoCveGate, Vex, Aliases, Report })
            {
                command.Options.Add(option);
            }
        }
    }

    /// <summary>Refuses a release that would skip the CVE gate silently: either the mirror or a stated reason.</summary>
    public static void CheckCveChoice(ParseResult result, Options options)
    {
        var nvd = result.GetValue(options.Nvd);
        var skip = result.GetValue(options.NoCveGate);
        if (nvd is not null && skip is not null)
        {
            throw new ArgumentException("--nvd and --no-cve-gate exclude each other: the CVE gate either runs or is skipped for a stated reason.");
        }

        if (nvd is null && skip is null)
        {
            throw new ArgumentException("release runs the CVE gate: give the NVD mirror with --nvd DIR (README: 'The NVD mirror the CVE gate reads'), "
                + "or --no-cve-gate REASON to publish without it (the reason is recorded in the release's SBOM).");
        }

        if (skip is not null && string.IsNullOrWhiteSpace(skip))
        {
            throw new ArgumentException("--no-cve-gate needs a reason, which is recorded in the release's SBOM.");
        }
    }

    /// <summary>
    /// The SBOM to pin: the one given, or one written into <paramref name="staging"/> for a directory release; null
    /// for an image release without one. A directory that already holds <c>sbom.cdx.json</c> is refused unless that
    /// file is the one given: an SBOM left from another build would ship beside the new one.
    /// </summary>
    public static ReleaseSbom? WriteSbom(ParseResult result, Options options, string source, bool isDirectory, string version, string staging, TextWriter output)
    {
        var inSource = Path.GetFullPath(Path.Combine(source, SbomBuilder.FileName));
        if (result.GetValue(options.Sbom) is { } given)
        {
            Inventory.ReadSbom(given).Dispose();
            if (!isDirectory)
            {
                return new ReleaseSbom(given, AddToBundle: false);
            }

            if (Path.GetFullPath(given) == inSource)
            {
                return new ReleaseSbom(given, AddToBundle: false);
            }

            RefuseStale(inSource, source);
            return new ReleaseSbom(given, AddToBundle: true);
        }

        if (!isDirectory)
        {
            return null;
        }

        RefuseStale(inSource, source);
        var file = Path.Combine(staging, SbomBuilder.FileName);
        IReadOnlyList<KeyValuePair<string, string>> properties = result.GetValue(options.NoCveGate) is { } reason ? [new(SkippedProperty, reason)] : [];
        var count = SbomCommand.Write(source, "iris-camera", version, result.GetValue(options.DpkgStatus), result.GetValue(options.Aliases), file, result.GetValue(options.DotnetRoot), properties);
        output.WriteLine($"sbom: {count} components, into the bundle as {SbomBuilder.FileName}");
        return new ReleaseSbom(file, AddToBundle: true);
    }

    private static void RefuseStale(string inSource, string source)
    {
        if (File.Exists(inSource))
        {
            throw new ArgumentException($"'{source}' already holds {SbomBuilder.FileName}: release writes the SBOM into the bundle itself, so a file left from another "
                + "build would be shipped; publish into an empty directory (or give that file with --sbom).");
        }
    }

    /// <summary>The SBOM's name in the release, length and SHA-256 for the signed targets metadata.</summary>
    public static SbomPin Pin(ReleaseSbom sbom, bool isDirectory)
    {
        using var stream = File.OpenRead(sbom.Path);
        var hash = SHA256.HashData(stream);
        return new SbomPin(isDirectory ? SbomBuilder.FileName : Path.GetFileName(sbom.Path), stream.Length, Convert.ToHexStringLower(hash));
    }

    /// <summary>Runs the CVE gate on the SBOM, or says loudly that it was not run and why; false when it fails.</summary>
    public static async Task<bool> CveGateAsync(ParseResult result, Options options, ReleaseSbom? sbom, TextWriter output)
    {
        if (result.GetValue(options.NoCveGate) is { } reason)
        {
            await output.WriteLineAsync($"cve: NOT CHECKED: the CVE gate did not run (--no-cve-gate: {reason}){(sbom is { AddToBundle: true } ? "; recorded in the SBOM as " + SkippedProperty : "")}");
            return true;
        }

        var file = sbom?.Path ?? throw new ArgumentException("The CVE gate of an image release needs its SBOM (--sbom).");
        var report = await CveCommand.RunAsync(file, result.GetValue(options.Nvd)!, result.GetValue(options.Vex) ?? [], result.GetValue(options.Aliases), result.GetValue(options.Report), output);
        return !report.Failed;
    }
}
