using System.Security.Cryptography.X509Certificates;
using Iris.Lab.Audit;

namespace Iris.Lab.Tls;

/// <summary>
/// Scans every TLS port the service scan found (and the port named on the command line) and judges each. Ports are
/// scanned side by side, sharing one bound on connections to the target; they are judged in port order, so the
/// report reads the same whichever finished first.
/// </summary>
internal sealed class TlsProbe : IProbe
{
    public string Name => "tls";

    public IReadOnlyList<string> Items { get; } = ["5.4.2.1", "5.4.2.2"];

    public IReadOnlyList<string>? After { get; } = ["services"];

    public async Task RunAsync(AuditContext context, ProbeRecorder recorder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(recorder);
        var ports = context.Services.Where(s => s.Service == "tls").Select(s => s.Port).ToList();
        if (context.Target.Port is { } named && !ports.Contains(named) && !context.Services.Any(s => s.Port == named && s.Plaintext))
        {
            ports.Add(named);
        }

        if (ports.Count == 0)
        {
            recorder.Inconclusive("5.4.2.1", "No TLS port was found to examine.");
            recorder.Inconclusive("5.4.2.2", "No TLS port was found to examine.");
            return;
        }

        using var anchor = context.Ixit?.TlsTrustAnchorPem is { } pem ? X509Certificate2.CreateFromPem(pem) : null;
        using var connections = new SemaphoreSlim(Math.Max(1, context.ConnectionsAtOnce));
        var scanned = await Task.WhenAll(ports.Select(port => ScanPortAsync(context, port, connections, cancellationToken)));
        foreach (var (port, facts) in ports.Zip(scanned))
        {
            if (!facts.IsTls)
            {
                recorder.Inconclusive("5.4.2.1", $"{context.Target.Host}:{port} accepted no TLS or SSL hello.");
                continue;
            }

            context.TlsPorts.Add(facts);
            TlsJudge.Judge(facts, context.Time.GetUtcNow(), anchor, recorder);
        }
    }

    private static async Task<TlsFacts> ScanPortAsync(AuditContext context, int port, SemaphoreSlim connections, CancellationToken cancellationToken)
    {
        var facts = await new TlsScanner(context.Target.Host, port, context.ConnectTimeout, connections, context.Timings).ScanAsync(cancellationToken);
        if (!facts.IsTls)
        {
            return facts;
        }

        var signatures = new SignatureScanner(context.Target.Host, port, context.ConnectTimeout, connections);
        var (accepted, violations) = await context.Timings.MeasureAsync($"tls/{port}/signature-schemes", () => signatures.ScanAsync(facts, cancellationToken));
        return facts with { Signatures = accepted, SignatureViolations = violations, Handshakes = facts.Handshakes + signatures.Handshakes };
    }
}
