using Iris.Factory.Gate;
using Iris.Lab.Audit;

namespace Iris.Lab.Firmware;

/// <summary>
/// The image given with --firmware. 5.4.1.1: it is carved (<see cref="FlashCarver"/>: every image inside a raw
/// dump, unpacked within bounds) and everything that comes out is scanned by the factory's release gate
/// (Iris.Factory/Gate: the same rules that stop an Iris release), where a secret or a URL whose host the IXIT does
/// not declare fails the item; an image that holds nothing to carve and looks encrypted (see
/// <see cref="ImageClassifier"/>) meets the item's first branch as far as bytes can show. A bound that stopped the
/// carve, or an image that could not be unpacked, leaves the item inconclusive: unseen bytes are no pass.
/// 5.2.1.1: the SBOM of what was unpacked (<see cref="FirmwareSbom"/>), matched by the factory's CVE gate
/// (<see cref="FirmwareCves"/>).
/// </summary>
internal sealed class FirmwareProbe(CarveLimits? limits = null) : IProbe
{
    public const string SbomFile = "firmware-sbom.cdx.json";
    private const int ShownFindings = 25;

    public string Name => "firmware";

    public IReadOnlyList<string> Items { get; } = ["5.4.1.1", "5.2.1.1"];

    /// <summary>The image is a file: it needs nothing from the network probes, so it is examined while they run.</summary>
    public IReadOnlyList<string>? After { get; } = [];

    public Task RunAsync(AuditContext context, ProbeRecorder recorder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(recorder);
        if (context.FirmwarePath is not { } image)
        {
            return Task.CompletedTask;
        }

        // mkdtemp(3): mode 0700, so no other user reads the unpacked image or swaps a file in it while it is scanned.
        var scratch = Directory.CreateTempSubdirectory("iris-lab-firmware-");
        try
        {
            Examine(image, scratch.FullName, context, recorder);
        }
        finally
        {
            TreeExtractor.MakeReadable(scratch.FullName);
            scratch.Delete(recursive: true);
        }

        return Task.CompletedTask;
    }

    private void Examine(string image, string scratch, AuditContext context, ProbeRecorder recorder)
    {
        var name = Path.GetFileName(image);
        var carve = FlashCarver.Carve(image, scratch, limits ?? CarveLimits.Default);
        var kind = ImageClassifier.Classify(image);
        if (carve.Pieces.Count == 0 && carve.Limits.Count == 0 && kind.Kind == ImageKind.Encrypted)
        {
            recorder.Pass("5.4.1.1", $"{name} looks encrypted ({kind.Describe()}) and holds no image that could be carved; which algorithm, and that the image is not publicly downloadable, only the vendor's documents can show");
            recorder.Inconclusive("5.2.1.1", $"{name} looks encrypted: no SBOM can be read from it; the vendor's SBOM must be matched instead");
            return;
        }

        var report = Scan(image, carve, context);
        var carved = carve.Pieces.Count == 0 ? "no image carved from it" : $"carved: {string.Join("; ", carve.Pieces.Take(20))}{(carve.Pieces.Count > 20 ? $"; {carve.Pieces.Count - 20} more" : "")}";
        foreach (var finding in report.Findings.Take(ShownFindings))
        {
            recorder.Fail(new Finding("5.4.1.1", Severity.High, "Secret or undeclared endpoint in an unencrypted firmware image", $"{finding} ({kind.Describe()})",
                $"iris-lab audit --firmware {name} (the release gate's rules: iris-factory gate --from on the unpacked tree)"));
        }

        if (report.Findings.Count > ShownFindings)
        {
            recorder.Fail(new Finding("5.4.1.1", Severity.High, "More secrets or undeclared endpoints", $"{report.Findings.Count - ShownFindings} more in {name}", $"iris-lab audit --firmware {name}"));
        }

        var unseen = carve.Limits.Concat(carve.NotUnpacked).ToList();
        if (unseen.Count > 0)
        {
            recorder.Inconclusive("5.4.1.1", $"Part of {name} was not examined: {string.Join("; ", unseen.Take(10))}");
        }

        if (report.Findings.Count == 0)
        {
            recorder.Pass("5.4.1.1", $"{name} is not encrypted ({kind.Describe()}; {carved}) but the release gate found no secret and no undeclared endpoint in {report.BytesScanned} bytes"
                + (report.Review.Count > 0 ? $"; for review: {string.Join("; ", report.Review.Take(10))}" : ""));
        }

        var files = TreeExtractor.Files(carve.Root).Select(f => (f, Path.GetRelativePath(carve.Root, f).Replace('\\', '/')));
        if (!carve.InputOpened)
        {
            files = files.Prepend((image, name));
        }

        var aliases = FirmwareCves.Aliases();
        var components = FirmwareSbom.Collect(files, aliases);
        var directory = context.OutDirectory ?? scratch;
        Directory.CreateDirectory(directory);
        var sbom = Path.Combine(directory, SbomFile);
        FirmwareSbom.Write(sbom, name, components, context.Time.GetUtcNow());
        FirmwareCves.Judge(name, sbom, components, aliases, context, recorder, unseen.Count > 0);
    }

    /// <summary>The input itself (unless the carver opened it from its first byte) and everything carved from it, with the gate's rules.</summary>
    private static GateReport Scan(string image, CarveResult carve, AuditContext context)
    {
        var declaredHosts = new List<string>();
        if (context.Ixit?.Update?.Server is { } server && Uri.TryCreate(server, UriKind.Absolute, out var uri))
        {
            declaredHosts.Add(uri.Host);
        }

        var hosts = new HostAllowList(declaredHosts);
        var report = new GateReport();
        if (!carve.InputOpened)
        {
            using var input = File.OpenRead(image);
            ReleaseGate.ScanStream(input, Path.GetFileName(image), hosts, report);
        }

        // Depth 1: what lies inside an image (links, device nodes) is judged as inside an image, not as a release directory.
        ReleaseGate.ScanDirectory(carve.Root, "", hosts, report, ReleaseGate.DefaultWindowBytes, depth: 1);
        return report;
    }
}
