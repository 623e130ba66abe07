using System.Text.Json;

namespace Iris.Lab.Tests.Support;

/// <summary>The <c>timings</c> of a report.json, read back, and the checks that make them plausible.</summary>
internal sealed record PhaseTimings(double TotalMs, IReadOnlyList<(string Phase, double StartMs, double Ms)> Phases)
{
    // report.json rounds each figure to 0.1 ms.
    private const double Rounding = 0.2;

    public static PhaseTimings Read(JsonDocument report)
    {
        var timings = report.RootElement.GetProperty("timings");
        return new PhaseTimings(timings.GetProperty("totalMs").GetDouble(),
            [.. timings.GetProperty("phases").EnumerateArray().Select(p => (p.GetProperty("phase").GetString()!, p.GetProperty("startMs").GetDouble(), p.GetProperty("ms").GetDouble()))]);
    }

    public (string Phase, double StartMs, double Ms) Single(string phase) => Assert.Single(Phases, p => p.Phase == phase);

    /// <summary>
    /// Every phase lies inside the audit and inside the probe it belongs to ("tls/443/suites" inside "tls"), and the
    /// probes' times add up to no more than the total times the most probes that ever ran at once.
    /// </summary>
    public void AssertPlausible()
    {
        Assert.True(TotalMs > 0, "the audit took no time");
        foreach (var (phase, start, ms) in Phases)
        {
            Assert.True(start >= 0 && ms >= 0 && start + ms <= TotalMs + Rounding, $"{phase}: {start} + {ms} ms outside the audit's {TotalMs} ms");
            var slash = phase.IndexOf('/', StringComparison.Ordinal);
            if (slash > 0)
            {
                var (_, outerStart, outerMs) = Single(phase[..slash]);
                Assert.True(start + Rounding >= outerStart && start + ms <= outerStart + outerMs + Rounding, $"{phase} ({start} + {ms} ms) outside its probe ({outerStart} + {outerMs} ms)");
            }
        }

        var probes = Phases.Where(p => !p.Phase.Contains('/', StringComparison.Ordinal)).ToList();
        var mostAtOnce = probes.Max(p => probes.Count(q => q.StartMs <= p.StartMs && p.StartMs < q.StartMs + Math.Max(q.Ms, Rounding)));
        Assert.True(probes.Sum(p => p.Ms) <= TotalMs * mostAtOnce + Rounding * probes.Count,
            $"probes sum to {probes.Sum(p => p.Ms)} ms, more than {mostAtOnce} at once could take in {TotalMs} ms");
    }
}
