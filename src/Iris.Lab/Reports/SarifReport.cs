using Iris.Lab.Audit;
using Iris.Shared;

namespace Iris.Lab.Reports;

/// <summary>findings.sarif (SARIF 2.1.0, written by the factory's <see cref="SarifLog"/>): one rule per IoT-1005-1
/// item, one result per finding, so code-scanning tools show the lab's findings next to the factory gate's.</summary>
internal static class SarifReport
{
    public static void Write(AuditReport report, Stream output)
    {
        ArgumentNullException.ThrowIfNull(report);
        SarifLog.Write(
            output,
            "iris-lab",
            Requirements.All.Select(r => new SarifRule(r.Id, r.TitleEn)),
            report.Findings.Select(f => new SarifResult(
                f.Item,
                f.Severity >= Severity.High ? "error" : f.Severity == Severity.Medium ? "warning" : "note",
                $"{f.Title}. {f.Evidence} Reproduce: {f.Reproduce}",
                report.Target,
                "device")));
    }
}
