using System.Globalization;
using System.Text.Json;
using Iris.Factory.Cve;
using Iris.Lab.Audit;

namespace Iris.Lab.Firmware;

/// <summary>
/// 5.2.1.1 for a firmware image: its SBOM read back as the factory's CVE gate reads a release's
/// (<see cref="Inventory.FromSbom"/>, the same alias list) and matched by that gate (<see cref="CveGate"/>,
/// <see cref="CveMatcher"/>) against the NVD mirror given with --nvd. A High or Critical CVE fails the item with the
/// CVE ids; a CVE with no v3 score, no mirror, or no component found leaves it inconclusive and says why.
/// </summary>
internal static class FirmwareCves
{
    private const int ShownCves = 25;

    /// <summary>The factory's alias list (shipped next to the tool), plus the daemons the lab reads by version string.</summary>
    public static IReadOnlyDictionary<string, string[]> Aliases()
    {
        var file = Path.Combine(AppContext.BaseDirectory, "cve-aliases.txt");
        var aliases = new Dictionary<string, string[]>(Inventory.LoadAliases(File.Exists(file) ? file : null), StringComparer.Ordinal);
        // NVD files nginx under f5 since 2020 and under nginx before; uClibc-ng has its own product.
        aliases.TryAdd("nginx", ["f5:nginx", "nginx:nginx"]);
        aliases.TryAdd("lighttpd", ["lighttpd:lighttpd"]);
        aliases.TryAdd("uclibc", ["uclibc:uclibc", "uclibc-ng_project:uclibc-ng"]);
        aliases.TryAdd("glibc", ["gnu:glibc"]);
        aliases.TryAdd("dropbear", ["dropbear_ssh_project:dropbear_ssh"]);
        aliases.TryAdd("openssh", ["openbsd:openssh"]);
        return aliases;
    }

    public static void Judge(string name, string sbom, IReadOnlyList<FirmwareComponent> components, IReadOnlyDictionary<string, string[]> aliases, AuditContext context,
        ProbeRecorder recorder, bool partlyUnseen)
    {
        var listed = $"{components.Count} components ({string.Join(", ", components.Take(15).Select(c => $"{c.Name} {c.Version}"))}{(components.Count > 15 ? ", …" : "")}) in {Path.GetFileName(sbom)}";
        if (components.Count == 0)
        {
            recorder.Inconclusive("5.2.1.1", $"No dpkg or opkg status file and no version string of a known daemon or library found in {name}: no SBOM to match against NVD; the vendor's SBOM must be matched instead");
            return;
        }

        if (context.NvdDirectory is not { } nvd)
        {
            recorder.Inconclusive("5.2.1.1", $"SBOM of {name}: {listed}; not matched against NVD because no mirror was given (--nvd DIR, NVD CVE API 2.0 files as the factory's CVE gate reads them)");
            return;
        }

        CveReport report;
        try
        {
            var inventory = Inventory.FromSbom(sbom, aliases);
            report = CveGate.Run(inventory, NvdMirror.Read(nvd), [], DateOnly.FromDateTime(context.Time.GetUtcNow().UtcDateTime));
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or JsonException or KeyNotFoundException or InvalidOperationException or IOException)
        {
            recorder.Inconclusive("5.2.1.1", $"The NVD mirror '{nvd}' could not be read ({e.GetType().Name}: {e.Message}); nothing was matched");
            return;
        }

        var failed = report.Results.Where(r => r.Decision == CveDecision.Fail).ToList();
        foreach (var result in failed.Take(ShownCves))
        {
            var score = result.Cve.V3Score!.Value;
            recorder.Fail(new Finding("5.2.1.1", score >= 9.0 ? Severity.Critical : Severity.High, "Known-vulnerable component in the firmware",
                string.Create(CultureInfo.InvariantCulture, $"{result.Cve.Id} (CVSS v3 {score:0.0} {result.Cve.V3Vector}) in {result.Component.Name} {result.Component.Version}"),
                $"iris-factory cve --sbom {Path.GetFileName(sbom)} --nvd {nvd}"));
        }

        if (failed.Count > ShownCves)
        {
            recorder.Fail(new Finding("5.2.1.1", Severity.High, "More known-vulnerable components", $"{failed.Count - ShownCves} more High or Critical CVEs: "
                + string.Join(", ", failed.Skip(ShownCves).Select(r => r.Cve.Id).Distinct()), $"iris-factory cve --sbom {Path.GetFileName(sbom)} --nvd {nvd}"));
        }

        var review = report.Results.Where(r => r.Decision == CveDecision.Review).ToList();
        if (review.Count > 0)
        {
            recorder.Inconclusive("5.2.1.1", $"CVEs without a CVSS v3 score, which a person must judge: {string.Join(", ", review.Take(ShownCves).Select(r => $"{r.Cve.Id} in {r.Component.Name} {r.Component.Version}"))}");
        }

        if (partlyUnseen)
        {
            recorder.Inconclusive("5.2.1.1", $"Part of {name} could not be unpacked, so its SBOM may miss components (see 5.4.1.1)");
        }

        if (failed.Count > 0)
        {
            return;
        }

        var below = report.Results.Where(r => r.Decision == CveDecision.Below)
            .Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Cve.Id} ({r.Cve.V3Score:0.0}) in {r.Component.Name}")).ToList();
        recorder.Pass("5.2.1.1", $"SBOM of {name}: {listed}, matched against {report.Records} NVD records by the factory's CVE gate: no High or Critical CVE"
            + (below.Count > 0 ? $"; below High: {string.Join(", ", below.Take(ShownCves))}" : ""));
    }
}
