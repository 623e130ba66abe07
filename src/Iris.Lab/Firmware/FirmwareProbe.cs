using Iris.Factory.Gate;
using Iris.Lab.Audit;

namespace Iris.Lab.Firmware;

/// <summary>
/// 5.4.1.1 on the image given with --firmware: an image that looks encrypted (see <see cref="ImageClassifier"/>)
/// meets the item's first branch as far as bytes can show; anything else is opened and scanned by the factory's
/// release gate (Iris.Factory/Gate: the same rules that stop an Iris release), where a secret or a URL whose host
/// the IXIT does not declare fails the item. 5.2.1.1 (SBOM and CVE match) is not done here yet and says so.
/// </summary>
internal sealed class FirmwareProbe : IProbe
{
    private const int ShownFindings = 25;

    public string Name => "firmware";

    public IReadOnlyList<string> Items { get; } = ["5.4.1.1", "5.2.1.1"];

    public Task RunAsync(AuditContext context, ProbeRecorder recorder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(recorder);
        if (context.FirmwarePath is not { } image)
        {
            return Task.CompletedTask;
        }

        if (context.NvdDirectory is not null)
        {
            recorder.Inconclusive("5.2.1.1", "SBOM extraction from a firmware image and the CVE match are not implemented in this lab version.");
        }

        var name = Path.GetFileName(image);
        var kind = ImageClassifier.Classify(image);
        if (kind.Kind == ImageKind.Encrypted)
        {
            recorder.Pass("5.4.1.1", $"{name} looks encrypted ({kind.Describe()}); which algorithm, and that the image is not publicly downloadable, only the vendor's documents can show");
            return Task.CompletedTask;
        }

        var declaredHosts = new List<string>();
        if (context.Ixit?.Update?.Server is { } server && Uri.TryCreate(server, UriKind.Absolute, out var uri))
        {
            declaredHosts.Add(uri.Host);
        }

        var report = ReleaseGate.Scan(image, new HostAllowList(declaredHosts));
        foreach (var finding in report.Findings.Take(ShownFindings))
        {
            recorder.Fail(new Finding("5.4.1.1", Severity.High, "Secret or undeclared endpoint in an unencrypted firmware image", $"{finding} ({kind.Describe()})",
                $"iris-factory gate --from {name}"));
        }

        if (report.Findings.Count > ShownFindings)
        {
            recorder.Fail(new Finding("5.4.1.1", Severity.High, "More secrets or undeclared endpoints", $"{report.Findings.Count - ShownFindings} more in {name}", $"iris-factory gate --from {name}"));
        }

        if (report.Findings.Count == 0)
        {
            recorder.Pass("5.4.1.1", $"{name} is not encrypted ({kind.Describe()}) but the release gate found no secret and no undeclared endpoint in {report.BytesScanned} bytes"
                + (report.Review.Count > 0 ? $"; for review: {string.Join("; ", report.Review.Take(10))}" : ""));
        }

        return Task.CompletedTask;
    }
}
