using Iris.Lab.Tls;

namespace Iris.Lab.Audit;

/// <summary>The verdict on one item and every observation behind it.</summary>
internal sealed record ItemResult(Requirement Requirement, Verdict Verdict, IReadOnlyList<Observation> Observations);

/// <summary>One audit: every item of the standard in order, and every finding.</summary>
internal sealed record AuditReport(string Target, DateTimeOffset Started, DateTimeOffset Finished, IReadOnlyList<ItemResult> Items, IReadOnlyList<Finding> Findings)
{
    /// <summary>The TLS facts of every port examined, reported whatever the verdicts (the facts testssl.sh reports).</summary>
    public IReadOnlyList<TlsFacts> Tls { get; init; } = [];

    /// <summary>Wall time of the whole audit, on the same clock as <see cref="Timings"/>.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Wall time of each probe and of the phases inside them (TLS per port, scan, series, fuzz...).</summary>
    public IReadOnlyList<PhaseTiming> Timings { get; init; } = [];

    public bool AnyFailed => Items.Any(i => i.Verdict == Verdict.Fail);

    public static AuditReport From(string target, DateTimeOffset started, DateTimeOffset finished, IReadOnlyList<Observation> observations, IReadOnlyList<Finding> findings)
    {
        var items = Requirements.All
            .Select(r =>
            {
                var seen = observations.Where(o => o.Item == r.Id).ToList();
                return new ItemResult(r, Combine(seen), seen);
            })
            .ToList();
        return new AuditReport(target, started, finished, items, findings);
    }

    private static Verdict Combine(List<Observation> seen)
    {
        if (seen.Any(o => o.Verdict == Verdict.Fail))
        {
            return Verdict.Fail;
        }

        if (seen.Any(o => o.Verdict == Verdict.Inconclusive))
        {
            return Verdict.Inconclusive;
        }

        return seen.Any(o => o.Verdict == Verdict.Pass) ? Verdict.Pass : Verdict.Manual;
    }
}
