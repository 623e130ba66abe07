namespace Iris.Lab.Audit;

/// <summary>
/// What one probe reports. A probe records facts as it goes; <see cref="Auditor"/> keeps its passes only if it
/// finishes, so a probe that throws half-way can never leave a pass behind (only its fails and findings, which
/// were observed, and an inconclusive for every item it covers). A probe may record from several tasks at once
/// (TLS ports side by side), so adding is locked.
/// </summary>
internal sealed class ProbeRecorder(string probe)
{
    private readonly List<Observation> observations = [];
    private readonly List<Finding> findings = [];

    public string Probe { get; } = probe;

    private readonly Lock gate = new();

    public IReadOnlyList<Observation> Observations
    {
        get
        {
            lock (gate)
            {
                return [.. observations];
            }
        }
    }

    public IReadOnlyList<Finding> Findings
    {
        get
        {
            lock (gate)
            {
                return [.. findings];
            }
        }
    }

    public void Pass(string item, string evidence) => Add(item, Verdict.Pass, evidence);

    /// <summary>A probe that could not observe enough to decide (target refused, timed out, nothing to test).</summary>
    public void Inconclusive(string item, string evidence) => Add(item, Verdict.Inconclusive, evidence);

    /// <summary>Records the finding and fails its item with the finding's evidence.</summary>
    public void Fail(Finding finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        lock (gate)
        {
            findings.Add(finding);
        }

        Add(finding.Item, Verdict.Fail, $"{finding.Title}: {finding.Evidence}");
    }

    private void Add(string item, Verdict verdict, string evidence)
    {
        _ = Requirements.Get(item);
        lock (gate)
        {
            observations.Add(new Observation(item, Probe, verdict, evidence));
        }
    }
}
