using System.Globalization;
using System.Net;
using System.Text;
using Iris.Lab.Audit;
using Iris.Lab.Auth;

namespace Iris.Lab.Web;

/// <summary>
/// The web interface: security.txt (5.2.3.1, RFC 9116), HSTS and cookie flags (they keep the session on the
/// secure channel: 5.4.2.1, 5.4.2.2), and a bounded generated fuzz of the root and the declared login path
/// (5.5.2.1): malformed input must get a 4xx, never a 5xx, a hang, or a device that stops answering.
/// </summary>
internal sealed class WebProbe : IProbe
{
    public string Name => "web";

    public IReadOnlyList<string> Items { get; } = ["5.2.3.1", "5.5.2.1", "5.4.2.1", "5.4.2.2"];

    /// <summary>The fuzz posts to the login path, which would spend a throttling device's free attempts before the login probes.</summary>
    public IReadOnlyList<string>? After { get; } = ["services", "tls", "replay", "auth", "service-login"];

    public async Task RunAsync(AuditContext context, ProbeRecorder recorder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(recorder);
        var web = context.Services.FirstOrDefault(s => s.Service == "http");
        var tlsPort = context.Target.Port is { } p && context.TlsPorts.Any(t => t.Port == p) ? p : context.TlsPorts.Select(t => t.Port).FirstOrDefault();
        if (tlsPort == 0 && web is null)
        {
            recorder.Inconclusive("5.5.2.1", "No web interface was found to examine.");
            return;
        }

        var scheme = tlsPort != 0 ? "https" : "http";
        var baseAddress = new Uri(string.Create(CultureInfo.InvariantCulture, $"{scheme}://{context.Target.Host}:{(tlsPort != 0 ? tlsPort : web!.Port)}/"));
        using var http = LoginClient.CreateHttp(baseAddress, context.ConnectTimeout * 5, context.TlsPorts.FirstOrDefault(t => t.Port == baseAddress.Port)?.Leaf);
        using (context.Timings.Begin("web/surface"))
        {
            using (var root = await http.GetAsync(new Uri("/", UriKind.Relative), cancellationToken))
            {
                if (scheme == "https")
                {
                    JudgeTransportHeaders(root, baseAddress, recorder);
                }
            }

            await JudgeSecurityTxtAsync(context, http, baseAddress, recorder, cancellationToken);
        }

        await context.Timings.MeasureAsync("web/fuzz", () => FuzzAsync(context, http, baseAddress, recorder, cancellationToken));
    }

    private static void JudgeTransportHeaders(HttpResponseMessage root, Uri at, ProbeRecorder recorder)
    {
        if (!root.Headers.Contains("Strict-Transport-Security"))
        {
            recorder.Fail(new Finding("5.4.2.1", Severity.Medium, "No Strict-Transport-Security header",
                $"{at} answers without HSTS, so a browser may be led to a plaintext copy", $"curl -skI {at}"));
        }

        foreach (var cookie in root.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [])
        {
            if (!cookie.Contains("; secure", StringComparison.OrdinalIgnoreCase))
            {
                recorder.Fail(new Finding("5.4.2.2", Severity.Medium, "Cookie without the Secure flag",
                    $"{at} sets '{cookie.Split(';')[0].Split('=')[0]}' without Secure: the browser would also send it in clear", $"curl -skI {at}"));
            }
        }
    }

    private static async Task JudgeSecurityTxtAsync(AuditContext context, HttpClient http, Uri at, ProbeRecorder recorder, CancellationToken cancellationToken)
    {
        var declared = context.Ixit?.SecurityTxt;
        var path = declared ?? "/.well-known/security.txt";
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken);
        var url = new Uri(at, path);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            if (declared is not null)
            {
                recorder.Fail(new Finding("5.2.3.1", Severity.Medium, "Declared security.txt is not served",
                    $"{url} answered HTTP {(int)response.StatusCode}", $"curl -sk {url}"));
            }

            // Neither declared nor served: the vendor may publish its policy elsewhere, which only a reviewer can check.
            return;
        }

        var problems = SecurityTxtCheck.Problems(await response.Content.ReadAsStringAsync(cancellationToken), context.Time.GetUtcNow());
        if (problems.Count > 0)
        {
            recorder.Fail(new Finding("5.2.3.1", Severity.Medium, "security.txt does not meet RFC 9116", $"{url}: {string.Join("; ", problems)}", $"curl -sk {url}"));
        }
        else
        {
            recorder.Pass("5.2.3.1", $"{url} names a contact and expires in the future (RFC 9116)");
        }
    }

    private static async Task FuzzAsync(AuditContext context, HttpClient http, Uri at, ProbeRecorder recorder, CancellationToken cancellationToken)
    {
        if (context.Ixit is { Endpoints.Count: > 0 } ixit)
        {
            await DeclaredEndpointFuzz.RunAsync(context, at, ixit.Endpoints, http, recorder, cancellationToken);
            return;
        }

        var loginPath = context.Ixit?.Login?.Path;
        var answers = new List<string>();
        var failed = false;
        foreach (var (name, build) in MalformedRequests(loginPath))
        {
            using var request = build();
            try
            {
                using var response = await http.SendAsync(request, cancellationToken);
                var status = (int)response.StatusCode;
                answers.Add(string.Create(CultureInfo.InvariantCulture, $"{name}: {status}"));
                if (status >= 500)
                {
                    failed = true;
                    recorder.Fail(new Finding("5.5.2.1", Severity.High, "Server error on malformed input",
                        $"{at}: {name} was answered HTTP {status}; invalid input must get a 4xx", $"iris-lab audit --target {context.Target} (web probe: {name})"));
                }
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                failed = true;
                recorder.Fail(new Finding("5.5.2.1", Severity.High, "No answer to malformed input (hang)",
                    $"{at}: {name} got no answer within {http.Timeout.TotalSeconds:0} s", $"iris-lab audit --target {context.Target} (web probe: {name})"));
            }
            catch (HttpRequestException)
            {
                // Closing the connection on garbage is a valid refusal, as long as the device still answers afterwards.
                answers.Add($"{name}: connection closed");
            }
        }

        using var after = await http.GetAsync(new Uri("/", UriKind.Relative), cancellationToken);
        if (!failed)
        {
            recorder.Pass("5.5.2.1", $"{at}: {answers.Count} malformed requests refused without a server error or hang, and the device still answers (HTTP {(int)after.StatusCode}): {string.Join(", ", answers)}");
        }
    }

    private static IEnumerable<(string Name, Func<HttpRequestMessage> Build)> MalformedRequests(string? loginPath)
    {
        yield return ("control characters in the query", () => new HttpRequestMessage(HttpMethod.Get, new Uri("/?q=%00%01%ff%fe%c0%af", UriKind.Relative)));
        yield return ("4 kB path", () => new HttpRequestMessage(HttpMethod.Get, new Uri("/" + new string('A', 4096), UriKind.Relative)));
        yield return ("path traversal", () => new HttpRequestMessage(HttpMethod.Get, new Uri("/%2e%2e/%2e%2e/%2e%2e/etc/passwd", UriKind.Relative)));
        yield return ("SQL in the query", () => new HttpRequestMessage(HttpMethod.Get, new Uri("/?id=1%27%20OR%201%3D1--", UriKind.Relative)));
        var target = loginPath ?? "/";
        yield return ("truncated JSON", () => Post(target, "{\"username\":", "application/json"));
        yield return ("deeply nested JSON", () => Post(target, new string('[', 5000) + new string(']', 5000), "application/json"));
        yield return ("wrong JSON types", () => Post(target, "{\"username\":1,\"password\":[],\"nonce\":{}}", "application/json"));
        yield return ("100 kB string", () => Post(target, "{\"username\":\"" + new string('x', 100_000) + "\",\"password\":\"x\"}", "application/json"));
        yield return ("invalid UTF-8", () => new HttpRequestMessage(HttpMethod.Post, new Uri(target, UriKind.Relative))
        {
            Content = new ByteArrayContent([0x7B, 0x22, 0xC3, 0x28, 0xFF, 0xFE, 0x22, 0x7D]) { Headers = { { "Content-Type", "application/json" } } },
        });
        yield return ("unexpected content type", () => Post(target, "username=admin&password=x", "text/plain"));
    }

    private static HttpRequestMessage Post(string path, string body, string contentType) =>
        new(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = new StringContent(body, Encoding.UTF8, contentType) };
}
