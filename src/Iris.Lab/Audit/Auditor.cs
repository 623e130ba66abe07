namespace Iris.Lab.Audit;

/// <summary>
/// Runs the probes in order (later ones use what earlier ones found) and turns what they saw into one verdict per
/// item. No probe decides an item alone: any fail fails it, else any inconclusive makes it inconclusive, else a
/// pass passes it; an item no probe judged is <see cref="Verdict.Manual"/> with the reviewer's question.
/// </summary>
internal sealed class Auditor(IReadOnlyList<IProbe> probes)
{
    public async Task<AuditReport> RunAsync(AuditContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var started = context.Time.GetUtcNow();
        var observations = new List<Observation>();
        var findings = new List<Finding>();
        foreach (var probe in probes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var recorder = new ProbeRecorder(probe.Name);
            try
            {
                await probe.RunAsync(context, recorder, cancellationToken);
                observations.AddRange(recorder.Observations);
            }
#pragma warning disable CA1031 // Any failure of a probe, whatever its type, must turn into "inconclusive", never end the audit or pass.
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
            {
                observations.AddRange(recorder.Observations.Where(o => o.Verdict != Verdict.Pass));
                foreach (var item in probe.Items)
                {
                    observations.Add(new Observation(item, probe.Name, Verdict.Inconclusive,
                        $"The {probe.Name} probe stopped ({e.GetType().Name}); nothing it saw counts as a pass."));
                }
            }

            findings.AddRange(recorder.Findings);
        }

        return AuditReport.From(context.Target.ToString(), started, context.Time.GetUtcNow(), observations, findings) with { Tls = [.. context.TlsPorts] };
    }
}
