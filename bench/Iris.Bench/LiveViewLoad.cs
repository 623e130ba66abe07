using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Iris.Bench;

/// <summary>
/// Issue 4 benchmark: N concurrent live viewers over TLS. Reports the frame rate each viewer receives, the
/// capture-to-client latency (from each part's X-Captured-At), and the daemon's CPU and resident memory.
/// Usage: live-view URL CERT_PEM DAEMON_PID DEFAULT_PASSWORD SECONDS VIEWERS...
/// </summary>
internal static class LiveViewLoad
{
    public static async Task<int> RunAsync(string[] args)
    {
        var url = new Uri(args[0]);
        using var certificate = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(args[1]));
        var pid = int.Parse(args[2], CultureInfo.InvariantCulture);
        var seconds = int.Parse(args[4], CultureInfo.InvariantCulture);
        using var owner = LoginFlood.Client(url, certificate, IPAddress.Loopback);
        await LoginFlood.ClaimAsync(owner, args[3]);
        await LoginFlood.SignInAsync(owner, "bench owner passphrase 2026", expectSuccess: true);
        var cookies = string.Join("; ", LoginFlood.Cookies.GetCookies(url).Select(c => $"{c.Name}={c.Value}"));

        Console.WriteLine("| viewers | median fps per viewer | min fps | latency p50 ms | latency p99 ms | daemon CPU (% of one core) | CPU per viewer | daemon RSS MiB |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var viewers in args[5..].Select(v => int.Parse(v, CultureInfo.InvariantCulture)))
        {
            var clients = Enumerable.Range(0, viewers).Select(_ => Viewer(url, certificate, cookies)).ToArray();
            var cpuBefore = LoginFlood.CpuTicks(pid);
            var clock = Stopwatch.StartNew();
            var results = await Task.WhenAll(clients.Select(c => WatchAsync(c, TimeSpan.FromSeconds(seconds))));
            var elapsed = clock.Elapsed.TotalSeconds;
            var cpu = (LoginFlood.CpuTicks(pid) - cpuBefore) / elapsed; // ticks/s = % of one core at CLK_TCK 100
            var rss = File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
            var fps = results.Select(r => r.Frames / (double)seconds).Order().ToList();
            var latencies = results.SelectMany(r => r.Latencies).Order().ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {viewers} | {fps[fps.Count / 2]:F1} | {fps[0]:F1} | {LoginFlood.Percentile(latencies, 0.5):F1} | {LoginFlood.Percentile(latencies, 0.99):F1} | {cpu:F0} | {cpu / viewers:F1} | {long.Parse(rss, CultureInfo.InvariantCulture) / 1024.0:F1} |"));
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }

        return 0;
    }

    private static HttpClient Viewer(Uri url, X509Certificate2 certificate, string cookies)
    {
        var client = LoginFlood.Client(url, certificate, IPAddress.Parse("127.0.0.2"));
        client.DefaultRequestHeaders.Add("Cookie", cookies);
        client.Timeout = Timeout.InfiniteTimeSpan;
        return client;
    }

    private static async Task<(int Frames, List<double> Latencies)> WatchAsync(HttpClient client, TimeSpan duration)
    {
        using var cancel = new CancellationTokenSource(duration);
        var latencies = new List<double>();
        var frames = 0;
        try
        {
            using var response = await client.GetAsync(new Uri("/api/media/live", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, cancel.Token);
            response.EnsureSuccessStatusCode();
            var stream = await response.Content.ReadAsStreamAsync(cancel.Token);
            var buffer = new byte[1];
            var line = new StringBuilder();
            var length = -1;
            DateTimeOffset captured = default;
            while (!cancel.IsCancellationRequested)
            {
                if (await stream.ReadAsync(buffer, cancel.Token) == 0)
                {
                    break;
                }

                if (buffer[0] != '\n')
                {
                    line.Append((char)buffer[0]);
                    continue;
                }

                var text = line.ToString().TrimEnd('\r');
                line.Clear();
                if (text.StartsWith("Content-Length:", StringComparison.Ordinal))
                {
                    length = int.Parse(text[15..].Trim(), CultureInfo.InvariantCulture);
                }
                else if (text.StartsWith("X-Captured-At:", StringComparison.Ordinal))
                {
                    captured = DateTimeOffset.Parse(text[14..].Trim(), CultureInfo.InvariantCulture);
                }
                else if (text.Length == 0 && length > 0)
                {
                    await stream.ReadExactlyAsync(new byte[length], cancel.Token);
                    latencies.Add((DateTimeOffset.UtcNow - captured).TotalMilliseconds);
                    frames++;
                    length = -1;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        return (frames, latencies);
    }
}
