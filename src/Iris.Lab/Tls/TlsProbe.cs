using System.Security.Cryptography.X509Certificates;
using Iris.Lab.Audit;

namespace Iris.Lab.Tls;

/// <summary>Scans every TLS port the service scan found (and the port named on the command line) and judges each.</summary>
internal sealed class TlsProbe : IProbe
{
    public string Name => "tls";

    public IReadOnlyList<string> Items { get; } = ["5.4.2.1", "5.4.2.2"];

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
        foreach (var port in ports)
        {
            var facts = await new TlsScanner(context.Target.Host, port, context.ConnectTimeout).ScanAsync(cancellationToken);
            if (!facts.IsTls)
            {
                recorder.Inconclusive("5.4.2.1", $"{context.Target.Host}:{port} accepted no TLS or SSL hello.");
                continue;
            }

            var signatures = new SignatureScanner(context.Target.Host, port, context.ConnectTimeout);
            var (accepted, violations) = await signatures.ScanAsync(facts, cancellationToken);
            facts = facts with { Signatures = accepted, SignatureViolations = violations, Handshakes = facts.Handshakes + signatures.Handshakes };
            context.TlsPorts.Add(facts);
            TlsJudge.Judge(facts, context.Time.GetUtcNow(), anchor, recorder);
        }
    }
}
