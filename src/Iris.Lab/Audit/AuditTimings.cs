using System.Collections.Concurrent;

namespace Iris.Lab.Audit;

/// <summary>One phase of an audit: its name ("tls/443/suites"), when it began after the audit started, and its wall time.</summary>
internal sealed record PhaseTiming(string Phase, TimeSpan Start, TimeSpan Elapsed);

/// <summary>
/// Wall time of each phase of an audit, read from the audit's <see cref="TimeProvider"/> so a test can drive the
/// clock. Phases may overlap (probes and TLS ports run side by side), which the start offsets show: the sum of
/// the phases may exceed the audit's total, the span of any one of them may not.
/// </summary>
internal sealed class AuditTimings(TimeProvider time)
{
    private readonly long origin = time.GetTimestamp();
    private readonly ConcurrentQueue<PhaseTiming> phases = new();

    public IReadOnlyList<PhaseTiming> Phases => [.. phases.OrderBy(p => p.Start).ThenBy(p => p.Phase, StringComparer.Ordinal)];

    /// <summary>Time since the audit started.</summary>
    public TimeSpan Now => time.GetElapsedTime(origin);

    /// <summary>Starts timing <paramref name="phase"/>; disposing the result records it (also when the phase throws).</summary>
    public Phase Begin(string phase) => new(this, phase, Now);

    public async Task<T> MeasureAsync<T>(string phase, Func<Task<T>> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        using var measured = Begin(phase);
        return await run();
    }

    public async Task MeasureAsync(string phase, Func<Task> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        using var measured = Begin(phase);
        await run();
    }

    /// <summary>A phase being timed.</summary>
    internal sealed class Phase(AuditTimings timings, string name, TimeSpan start) : IDisposable
    {
        public void Dispose() => timings.phases.Enqueue(new PhaseTiming(name, start, timings.Now - start));
    }
}
