using System.Collections.Concurrent;
using Iris.Lab.Audit;

namespace Iris.Lab.Network;

/// <summary>
/// 5.2.2.1: the open TCP ports and what runs on them, compared with the services the IXIT declares; 5.4.2.1 and
/// 5.4.2.2: a service that answers in clear carries data (and, for telnet, FTP, HTTP, RTSP and MQTT, credentials)
/// outside a secure channel. A plain HTTP port that only redirects to HTTPS carries neither and is not a finding.
/// </summary>
internal sealed class ServiceProbe : IProbe
{
    private static readonly string[] LoginProtocols = ["telnet", "ftp", "http", "rtsp", "mqtt"];
    private static readonly string[] SecureDeclarations = ["https", "tls", "rtsps", "mqtts", "ssh", "wss"];

    public string Name => "services";

    public IReadOnlyList<string> Items { get; } = ["5.2.2.1", "5.4.2.1", "5.4.2.2"];

    public IReadOnlyList<string>? After { get; } = [];

    public int Concurrency { get; init; } = PortScanner.DefaultConcurrency;

    public async Task RunAsync(AuditContext context, ProbeRecorder recorder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(recorder);
        var host = context.Target.Host;
        var open = await context.Timings.MeasureAsync("services/tcp-scan",
            () => PortScanner.OpenPortsAsync(host, context.PortsToScan, context.ConnectTimeout, Concurrency, cancellationToken));
        var found = new ConcurrentBag<ServiceObservation>();
        await context.Timings.MeasureAsync("services/identify", () =>
            Parallel.ForEachAsync(open, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (port, token) =>
                found.Add(await ServiceIdentifier.IdentifyAsync(host, port, context.ConnectTimeout, token))));
        var services = found.OrderBy(s => s.Port).ToList();
        context.Services = services;
        var scanned = $"{context.PortsToScan.Count} TCP ports scanned";
        if (services.Count == 0)
        {
            foreach (var item in Items)
            {
                recorder.Inconclusive(item, $"{host}: no open TCP port among {scanned}; is the target up?");
            }

            return;
        }

        var listing = string.Join(", ", services.Select(s => $"{s.Port}/{s.Service}"));
        JudgePlaintext(host, services, listing, recorder);
        JudgeDeclared(context, services, listing, scanned, recorder);
    }

    private static void JudgePlaintext(string host, List<ServiceObservation> services, string listing, ProbeRecorder recorder)
    {
        var plaintext = services.Where(s => s.Plaintext && s.Service != "http-redirect").ToList();
        foreach (var s in plaintext)
        {
            recorder.Fail(new Finding("5.4.2.1", Severity.High, $"Plaintext service: {s.Service} on port {s.Port}",
                $"{host}:{s.Port}/tcp answers in clear: {s.Banner}", Reproduce(host, s)));
            if (LoginProtocols.Contains(s.Service))
            {
                recorder.Fail(new Finding("5.4.2.2", Severity.High, $"Credentials can cross {s.Service} in clear on port {s.Port}",
                    $"{host}:{s.Port}/tcp speaks {s.Service} without TLS, a protocol that carries user names and passwords", Reproduce(host, s)));
            }
        }

        if (plaintext.Count == 0)
        {
            recorder.Pass("5.4.2.1", $"{host}: no service answers in clear; open: {listing}");
        }

        if (!plaintext.Any(s => LoginProtocols.Contains(s.Service)))
        {
            recorder.Pass("5.4.2.2", $"{host}: no login protocol in clear (telnet, FTP, HTTP, RTSP, MQTT); open: {listing}");
        }
    }

    private static void JudgeDeclared(AuditContext context, List<ServiceObservation> services, string listing, string scanned, ProbeRecorder recorder)
    {
        var host = context.Target.Host;
        if (context.Ixit is null)
        {
            recorder.Inconclusive("5.2.2.1", $"{host}: open {listing}; without an IXIT the lab cannot tell which services are needed");
            return;
        }

        var declared = context.Ixit.Services.Where(d => string.Equals(d.Transport, "tcp", StringComparison.OrdinalIgnoreCase)).ToList();
        var failed = false;
        foreach (var s in services)
        {
            var declaration = declared.FirstOrDefault(d => d.Port == s.Port);
            if (declaration is null)
            {
                failed = true;
                recorder.Fail(new Finding("5.2.2.1", Severity.Medium, $"Undeclared network service on port {s.Port}",
                    $"{host}:{s.Port}/tcp is open ({s.Service}: {s.Banner}) but the IXIT does not declare it", Reproduce(host, s)));
            }
            else if (s.Plaintext && SecureDeclarations.Contains(declaration.Protocol.ToLowerInvariant()))
            {
                failed = true;
                recorder.Fail(new Finding("5.2.2.1", Severity.High, $"Port {s.Port} declared as {declaration.Protocol} but answers in clear",
                    $"{host}:{s.Port}/tcp answered as {s.Service}: {s.Banner}", Reproduce(host, s)));
            }
        }

        if (!failed)
        {
            var missing = declared.Where(d => services.All(s => s.Port != d.Port)).Select(d => $"{d.Port}/{d.Protocol}").ToList();
            recorder.Pass("5.2.2.1", $"{host}: every open TCP port is declared ({listing}); {scanned}"
                + (missing.Count > 0 ? $"; declared but closed: {string.Join(", ", missing)}" : ""));
        }
    }

    private static string Reproduce(string host, ServiceObservation s) => s.Service switch
    {
        "http" => $"curl -v http://{host}:{s.Port}/",
        "rtsp" => $"printf 'OPTIONS * RTSP/1.0\\r\\nCSeq: 1\\r\\n\\r\\n' | nc {host} {s.Port}",
        _ => $"nc -v {host} {s.Port}   # or: nmap -sV -p {s.Port} {host}",
    };
}
