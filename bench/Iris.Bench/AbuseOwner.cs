using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Iris.Bench;

/// <summary>What the owner does during bench/abuse.sh, and how it is measured.</summary>
internal static class Owner
{
    /// <summary>Any single request gives up after this; the daemon itself answers "busy" after 10 s of waiting.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Addresses the owner signs in from during setup, so they are known; the measurement uses them in turn. The
    /// daemon gives every source, known ones too, 10 nonces at once and then one per 6 s: 24 addresses used in
    /// turn at one sign-in every 0.2 s plus its latency keep each one under that rate, as a household's few
    /// devices would be, instead of measuring the rate limit.
    /// </summary>
    public static readonly IPAddress[] KnownAddresses = [.. Enumerable.Range(10, 24).Select(i => IPAddress.Parse($"127.0.0.{i}"))];

    private static readonly byte[] PartHeadersEnd = "\r\n\r\n"u8.ToArray();

    /// <summary>The n-th never-seen address: 127.2.x.y (the attackers use 127.1.x.y).</summary>
    public static IPAddress NewAddress(int n) => IPAddress.Parse($"127.2.{n / 250 % 256}.{(n % 250) + 1}");

    /// <summary>
    /// The owner signs in again and again, each time on a new connection from the address given, pausing between
    /// attempts; for the duration, at most 1,000 times.
    /// </summary>
    public static async Task<SignInStats> SignInLoopAsync(Target target, Func<IPAddress> address, TimeSpan duration, TimeSpan pause)
    {
        var stats = new SignInStats();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 1_000 && clock.Elapsed < duration; i++)
        {
            stats.Add(await TimedSignInAsync(target, address()));
            await Task.Delay(pause);
        }

        return stats;
    }

    /// <summary>One sign-in on a new connection: the answer and the milliseconds from connecting to the answer.</summary>
    public static async Task<(string Answer, double Milliseconds)> TimedSignInAsync(Target target, IPAddress address)
    {
        using var client = target.Client(address, maxConnections: 1, cookies: null);
        var started = Stopwatch.GetTimestamp();
        var answer = await SignInAsync(client, "admin", LoginFlood.OwnerPassword);
        return (answer, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>Nonce + login; the answer as "200", "401 login-failed", "nonce 429 busy", "timeout" or "connection error".</summary>
    public static async Task<string> SignInAsync(HttpClient client, string username, string password, CancellationToken cancellationToken = default)
    {
        try
        {
            using var nonceResponse = await client.PostAsync(new Uri("/api/auth/nonce", UriKind.Relative), null, cancellationToken);
            if (!nonceResponse.IsSuccessStatusCode)
            {
                return "nonce " + await AnswerAsync(nonceResponse, cancellationToken);
            }

            var nonce = (await nonceResponse.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("nonce").GetString();
            using var login = await client.PostAsJsonAsync(new Uri("/api/auth/login", UriKind.Relative), new { username, password, nonce }, cancellationToken);
            return await AnswerAsync(login, cancellationToken);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return "timeout";
        }
        catch (HttpRequestException)
        {
            return "connection error";
        }
    }

    /// <summary>The status code, and for an error the last part of its problem type (busy, login-throttled, ...).</summary>
    public static async Task<string> AnswerAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var code = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
        if (response.IsSuccessStatusCode)
        {
            return code;
        }

        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            using var problem = JsonDocument.Parse(body);
            return problem.RootElement.TryGetProperty("type", out var type) && type.GetString() is { } text ? $"{code} {text[(text.LastIndexOf(':') + 1)..]}" : code;
        }
        catch (JsonException)
        {
            return code;
        }
    }

    /// <summary>
    /// The administrator opens the live view on a new connection, waits for the first frame's part headers, and
    /// closes it; again 0.5 s later, for the duration, at most 100 times.
    /// </summary>
    public static async Task<LiveStats> LiveLoopAsync(Target target, string cookies, TimeSpan duration)
    {
        var stats = new LiveStats();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 100 && clock.Elapsed < duration; i++)
        {
            await WatchOnceAsync(target, cookies, stats);
            await Task.Delay(500);
        }

        return stats;
    }

    public static async Task WatchOnceAsync(Target target, string cookies, LiveStats stats)
    {
        using var client = target.Client(IPAddress.Loopback, maxConnections: 1, cookies: null);
        client.DefaultRequestHeaders.Add("Cookie", cookies);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await client.GetAsync(new Uri("/api/media/live", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var headers = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (!response.IsSuccessStatusCode)
            {
                stats.Fail(await AnswerAsync(response, timeout.Token));
                return;
            }

            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            if (await ReadFirstPartHeadersAsync(body, timeout.Token))
            {
                stats.Add(headers, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            else
            {
                stats.Fail("stream ended before a frame");
            }
        }
        catch (OperationCanceledException)
        {
            stats.Fail("timeout");
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            stats.Fail("connection error");
        }
    }

    /// <summary>Reads until the blank line that ends the first multipart part's headers.</summary>
    private static async Task<bool> ReadFirstPartHeadersAsync(Stream body, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        var matched = 0;
        for (var total = 0; total < 64 * 1024;)
        {
            var read = await body.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                return false;
            }

            for (var i = 0; i < read; i++)
            {
                matched = buffer[i] == PartHeadersEnd[matched] ? matched + 1 : buffer[i] == PartHeadersEnd[0] ? 1 : 0;
                if (matched == PartHeadersEnd.Length)
                {
                    return true;
                }
            }

            total += read;
        }

        return false;
    }
}

/// <summary>How the bench reaches the daemon: pinned to its certificate, from a chosen loopback source address.</summary>
internal sealed class Target(Uri url, X509Certificate2 certificate)
{
    public Uri Url { get; } = url;

    public X509Certificate2 Certificate { get; } = certificate;

    public bool IsDeviceCertificate(X509Certificate? presented) => presented is not null && presented.GetRawCertData().AsSpan().SequenceEqual(Certificate.RawData);

    public HttpClient Client(IPAddress local, int maxConnections, CookieContainer? cookies)
    {
        var handler = new SocketsHttpHandler
        {
            UseCookies = cookies is not null,
            CookieContainer = cookies ?? new CookieContainer(),
            MaxConnectionsPerServer = maxConnections,

            // A response left unread (a live stream the bench is done with) closes its connection at once, as a
            // browser's would, instead of being drained for up to 1 MiB or 2 s while the daemon keeps its slot.
            MaxResponseDrainSize = 0,
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, presented, _, _) => IsDeviceCertificate(presented),
            },
            ConnectCallback = async (_, cancellationToken) => new NetworkStream(await ConnectAsync(local, cancellationToken), ownsSocket: true),
        };
        return new HttpClient(handler) { BaseAddress = Url, Timeout = Owner.RequestTimeout };
    }

    /// <summary>A TCP connection to the daemon from <paramref name="local"/> (every 127.0.0.0/8 address is this host's).</summary>
    public async Task<Socket> ConnectAsync(IPAddress local, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Bind(new IPEndPoint(local, 0));
            await socket.ConnectAsync(new DnsEndPoint(Url.Host, Url.Port), cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

/// <summary>Sign-in answers counted by kind, and the latency of the successful ones (stored as JSON between processes).</summary>
internal sealed class SignInStats
{
    public List<double> Latencies { get; set; } = [];

    public Dictionary<string, int> Failures { get; set; } = [];

    /// <summary>How long the refused attempts took: an immediate "busy" and one after the 10 s wait differ.</summary>
    public List<double> FailedLatencies { get; set; } = [];

    public int Total { get; set; }

    [JsonIgnore]
    public int Ok => Latencies.Count;

    [JsonIgnore]
    public double P99 => Percentile(Latencies, 0.99);

    public void Add((string Answer, double Milliseconds) attempt)
    {
        Total++;
        if (attempt.Answer == "200")
        {
            Latencies.Add(attempt.Milliseconds);
        }
        else
        {
            Failures[attempt.Answer] = Failures.GetValueOrDefault(attempt.Answer) + 1;
            FailedLatencies.Add(attempt.Milliseconds);
        }
    }

    public string FailureText() => Failures.Count == 0 || FailedLatencies.Count == 0 ? Counts.Format(Failures) : string.Create(CultureInfo.InvariantCulture,
        $"{Counts.Format(Failures)} (answered after {Percentile(FailedLatencies, 0.5):F0} ms median, {FailedLatencies.Max():F0} ms at most)");

    public string Cells() => string.Create(CultureInfo.InvariantCulture, $"{Ok}/{Total} | {Percentile(Latencies, 0.5):F0} | {P99:F0}");

    public static double Percentile(List<double> values, double p) => LoginFlood.Percentile([.. values.Order()], p);
}

/// <summary>The administrator's live-view attempts: time to the response headers and to the first frame's headers.</summary>
internal sealed class LiveStats
{
    public List<double> Headers { get; set; } = [];

    public List<double> FirstFrame { get; set; } = [];

    public Dictionary<string, int> Failures { get; set; } = [];

    [JsonIgnore]
    public int Ok => Headers.Count;

    [JsonIgnore]
    public int Total => Ok + Failures.Values.Sum();

    public void Add(double headers, double firstFrame)
    {
        Headers.Add(headers);
        FirstFrame.Add(firstFrame);
    }

    public void Fail(string answer) => Failures[answer] = Failures.GetValueOrDefault(answer) + 1;

    public string Row(string phase) => string.Create(CultureInfo.InvariantCulture,
        $"| {phase} | {Ok}/{Total} | {SignInStats.Percentile(Headers, 0.5):F0} | {SignInStats.Percentile(Headers, 0.99):F0} | {SignInStats.Percentile(FirstFrame, 0.5):F0} | {SignInStats.Percentile(FirstFrame, 0.99):F0} |");
}

internal static class Counts
{
    public static string Format(IReadOnlyDictionary<string, int> counts) =>
        counts.Count == 0 ? "none" : string.Join(", ", counts.OrderByDescending(c => c.Value).Select(c => $"{c.Key}: {c.Value}"));

    public static void Add(Dictionary<string, int> counts, string answer)
    {
        lock (counts)
        {
            counts[answer] = counts.GetValueOrDefault(answer) + 1;
        }
    }

    public static string Snapshot(Dictionary<string, int> counts)
    {
        lock (counts)
        {
            return Format(counts);
        }
    }
}
