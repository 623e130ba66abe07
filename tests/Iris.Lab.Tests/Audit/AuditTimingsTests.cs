using Iris.Lab.Audit;
using Iris.Lab.Reports;
using Iris.Lab.Tests.Support;

namespace Iris.Lab.Tests.Audit;

public sealed class AuditTimingsTests
{
    private static readonly string[] ProbeOrder = ["tcp", "udp", "judge"];

    [Fact]
    public async Task Report_GivesEachProbesWallTime_AndTheTotal_OnTheAuditsClock()
    {
        var clock = new ManualClock();
        var context = new AuditContext(new AuditTarget("192.0.2.1", 443), null, clock);
        IProbe[] probes =
        [
            new TimedProbe("scan", null, clock, TimeSpan.FromSeconds(2), "scan/connect"),
            new TimedProbe("login", null, clock, TimeSpan.FromSeconds(3), null),
        ];

        var report = await new Auditor(probes).RunAsync(context, CancellationToken.None);

        using var json = Json(report);
        var timings = PhaseTimings.Read(json);
        Assert.Equal(5000, timings.TotalMs);
        Assert.Equal(("scan", 0d, 2000d), timings.Single("scan"));
        Assert.Equal(("scan/connect", 0d, 2000d), timings.Single("scan/connect"));
        Assert.Equal(("login", 2000d, 3000d), timings.Single("login"));
        timings.AssertPlausible();
    }

    [Fact]
    public async Task ProbesThatNeedNothingFromEachOther_RunSideBySide_AndAProbeNamingNoNeedsWaitsForAllEarlierOnes()
    {
        var context = new AuditContext(new AuditTarget("192.0.2.1", 443), null, TimeProvider.System);
        // Each of the two waits until the other has started: run one after the other, neither would finish.
        var tcpStarted = new TaskCompletionSource();
        var udpStarted = new TaskCompletionSource();
        var finished = new List<string>();
        IProbe[] probes =
        [
            new RendezvousProbe("tcp", tcpStarted, udpStarted, finished),
            new RendezvousProbe("udp", udpStarted, tcpStarted, finished),
            new RecordingProbe("judge", () =>
            {
                lock (finished)
                {
                    return [.. finished];
                }
            }),
        ];

        var report = await new Auditor(probes).RunAsync(context, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        var judged = Assert.Single(report.Items.Single(i => i.Requirement.Id == "5.2.2.1").Observations, o => o.Probe == "judge");
        Assert.Equal("saw tcp, udp", judged.Evidence);
        // Observations are reported in the probes' order, whichever finished first.
        Assert.Equal(ProbeOrder, report.Items.Single(i => i.Requirement.Id == "5.2.2.1").Observations.Select(o => o.Probe));
    }

    private static System.Text.Json.JsonDocument Json(AuditReport report)
    {
        using var stream = new MemoryStream();
        JsonReport.Write(report, stream);
        return System.Text.Json.JsonDocument.Parse(stream.ToArray());
    }

    /// <summary>A probe that takes a known time on the manual clock, optionally inside a named phase.</summary>
    private sealed class TimedProbe(string name, IReadOnlyList<string>? after, ManualClock clock, TimeSpan takes, string? phase) : IProbe
    {
        public string Name => name;

        public IReadOnlyList<string> Items => ["5.2.2.1"];

        public IReadOnlyList<string>? After => after;

        public Task RunAsync(AuditContext context, ProbeRecorder recorder, CancellationToken cancellationToken)
        {
            using (phase is null ? null : context.Timings.Begin(phase))
            {
                clock.Advance(takes);
            }

            recorder.Pass("5.2.2.1", name);
            return Task.CompletedTask;
        }
    }

    private sealed class RendezvousProbe(string name, TaskCompletionSource started, TaskCompletionSource other, List<string> finished) : IProbe
    {
        public string Name => name;

        public IReadOnlyList<string> Items => ["5.2.2.1"];

        public IReadOnlyList<string>? After => [];

        public async Task RunAsync(AuditContext context, ProbeRecorder recorder, CancellationToken cancellationToken)
        {
            started.SetResult();
            await other.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
            lock (finished)
            {
                finished.Add(name);
                finished.Sort(StringComparer.Ordinal);
            }

            recorder.Pass("5.2.2.1", name);
        }
    }

    private sealed class RecordingProbe(string name, Func<List<string>> seen) : IProbe
    {
        public string Name => name;

        public IReadOnlyList<string> Items => ["5.2.2.1"];

        public Task RunAsync(AuditContext context, ProbeRecorder recorder, CancellationToken cancellationToken)
        {
            recorder.Pass("5.2.2.1", "saw " + string.Join(", ", seen()));
            return Task.CompletedTask;
        }
    }
}
