using System.Globalization;
using Iris.Lab.Audit;
using Iris.Lab.Ixit;

namespace Iris.Lab.Web;

/// <summary>
/// 5.5.2.1 on every endpoint the IXIT declares: a bounded, seeded set of malformed requests each (see
/// <see cref="EndpointFuzzer"/>), sent without credentials. Any answer below 500 is a refusal, which is what
/// validation looks like from outside (a 401 before the body is read included); a 5xx, no answer in time, or a
/// connection closed without an answer is a finding with the bytes that caused it. Without credentials, because a
/// lab cannot tell which endpoints destroy data (factory reset, deleting users) when they accept garbage.
/// </summary>
internal static class DeclaredEndpointFuzz
{
    public static async Task RunAsync(AuditContext context, Uri at, IReadOnlyList<IxitEndpoint> endpoints, HttpClient http, ProbeRecorder recorder, CancellationToken cancellationToken)
    {
        var tls = at.Scheme == Uri.UriSchemeHttps;
        var timeout = context.ConnectTimeout * 5;
        var seen = context.TlsPorts.FirstOrDefault(t => t.Port == at.Port)?.Leaf;
        var random = new Random(context.FuzzSeed);
        // Drawn in order before anything is sent, so the seed alone says which requests went out.
        var planned = endpoints.Select(e => (Endpoint: e, Cases: EndpointFuzzer.Cases(e, at.Host, random, context.FuzzCasesPerEndpoint).ToList())).ToList();
        // Endpoints side by side (a few connections, well under a device's per-source limit), each one's cases in turn.
        var outcomes = new List<(FuzzCase Fuzz, RawOutcome Outcome)>[planned.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, planned.Count), new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, context.ConnectionsAtOnce), CancellationToken = cancellationToken }, async (i, token) =>
        {
            var sentHere = new List<(FuzzCase, RawOutcome)>();
            foreach (var fuzz in planned[i].Cases)
            {
                var outcome = await RawExchange.SendAsync(at.Host, at.Port, seen, tls, fuzz.Bytes, timeout, token);
                sentHere.Add((fuzz, outcome));
                if (outcome.Hung)
                {
                    // One hang per endpoint is enough to fail it; more would only multiply the wait.
                    break;
                }
            }

            outcomes[i] = sentHere;
        });
        var sent = 0;
        var statuses = new SortedDictionary<int, int>();
        var failed = false;
        foreach (var ((endpoint, _), results) in planned.Zip(outcomes))
        {
            foreach (var (fuzz, outcome) in results)
            {
                sent++;
                if (outcome.Status is { } status and < 500)
                {
                    statuses[status] = statuses.GetValueOrDefault(status) + 1;
                    continue;
                }

                failed = true;
                var (severity, title) = outcome switch
                {
                    { Status: not null } => (Severity.High, "Server error on malformed input"),
                    { Hung: true } => (Severity.High, "No answer to malformed input (hang)"),
                    _ => (Severity.Medium, "Connection dropped on malformed input"),
                };
                recorder.Fail(new Finding("5.5.2.1", severity, title,
                    string.Create(CultureInfo.InvariantCulture, $"{at}: {endpoint.Method} {endpoint.Path}, case '{fuzz.Name}' (seed {context.FuzzSeed}) to {fuzz.Method} {Shorten(fuzz.Target)}: {outcome.Describe()}"),
                    fuzz.Reproduce(at.Host, at.Port, tls)));
            }
        }

        using var after = await http.GetAsync(new Uri("/", UriKind.Relative), cancellationToken);
        if (!failed)
        {
            recorder.Pass("5.5.2.1", string.Create(CultureInfo.InvariantCulture,
                $"{at}: {sent} malformed requests to the {endpoints.Count} declared endpoints (seed {context.FuzzSeed}, at most {context.FuzzCasesPerEndpoint} each) refused without a server error, hang or dropped connection ({string.Join(", ", statuses.Select(s => $"{s.Value}x HTTP {s.Key}"))}); the device still answers (HTTP {(int)after.StatusCode})"));
        }
    }

    private static string Shorten(string target) => target.Length > 120 ? target[..120] + "…" : target;
}
