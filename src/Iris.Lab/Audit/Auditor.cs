namespace Iris.Lab.Audit;

/// <summary>
/// Runs the probes (each once the earlier probes it needs have finished, see <see cref="IProbe.After"/>; the others
/// side by side) and turns what they saw into one verdict per item. No probe decides an item alone: any fail fails
/// it, else any inconclusive makes it inconclusive, else a pass passes it; an item no probe judged is
/// <see cref="Verdict.Manual"/> with the reviewer's question. Observations are reported in the probes' order,
/// whatever order they finished in.
/// </summary>
internal sealed class Auditor(IReadOnlyList<IProbe> probes)
{
    public async Task<AuditReport> RunAsync(AuditContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var started = context.Time.GetUtcNow();
        var runs = new List<Task<(List<Observation> Observations, IReadOnlyList<Finding> Findings)>>();
        for (var i = 0; i < probes.Count; i++)
        {
            var probe = probes[i];
            var needed = probes.Take(i).Select((p, n) => (p, n)).Where(e => probe.After is not { } after || after.Contains(e.p.Name)).Select(e => runs[e.n]).ToList();
            runs.Add(RunAfterAsync(probe, needed, context, cancellationToken));
        }

        var results = await Task.WhenAll(runs);
        var observations = results.SelectMany(r => r.Observations).ToList();
        var findings = results.SelectMany(r => r.Findings).ToList();
        return AuditReport.From(context.Target.ToString(), started, context.Time.GetUtcNow(), observations, findings)
            with { Tls = [.. context.TlsPorts], Elapsed = context.Timings.Now, Timings = context.Timings.Phases };
    }

    private static async Task<(List<Observation>, IReadOnlyList<Finding>)> RunAfterAsync(IProbe probe, List<Task<(List<Observation>, IReadOnlyList<Finding>)>> needed, AuditContext context, CancellationToken cancellationToken)
    {
        await Task.WhenAll(needed);
        cancellationToken.ThrowIfCancellationRequested();
        var recorder = new ProbeRecorder(probe.Name);
        var observations = new List<Observation>();
        using var timed = context.Timings.Begin(probe.Name);
        try
        {
            // Off the caller's thread at once: a probe that blocks before its first await must not hold up the others.
            await Task.Run(() => probe.RunAsync(context, recorder, cancellationToken), cancellationToken);
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

        return (observations, recorder.Findings);
    }
}
