using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace Iris.Bench;

/// <summary>
/// Daemon memory while it installs an update through its own path (bench/footprint.sh, issue 18): claims the
/// daemon, asks it to check its repository and to install what it offers, and samples the daemon's VmRSS every
/// 20 ms from before the install until the install has a result (or the daemon exits for its restart into the
/// new slot). Prints "IDLE_KIB PEAK_KIB RESULT SECONDS": idle is the median of 2 s of samples just before the
/// install, peak the largest sample during it. Usage: update-rss URL CERT_PEM DAEMON_PID DEFAULT_PASSWORD
/// </summary>
internal static class UpdateFootprint
{
    public static async Task<int> RunAsync(string[] args)
    {
        var url = new Uri(args[0]);
        using var certificate = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(args[1]));
        var pid = int.Parse(args[2], CultureInfo.InvariantCulture);
        using var owner = LoginFlood.Client(url, certificate, IPAddress.Loopback);
        owner.Timeout = TimeSpan.FromMinutes(10);
        await LoginFlood.ClaimAsync(owner, args[3]);
        await LoginFlood.SignInAsync(owner, "bench owner passphrase 2026", expectSuccess: true);

        using var check = await owner.PostAsync(new Uri("/api/updates/check", UriKind.Relative), null);
        var offered = await check.Content.ReadFromJsonAsync<JsonElement>();
        if (!check.IsSuccessStatusCode || offered.GetProperty("available").ValueKind == JsonValueKind.Null)
        {
            await Console.Error.WriteLineAsync($"the daemon offers no update: {offered}");
            return 1;
        }

        var idleSamples = new List<long>();
        for (var i = 0; i < 100; i++)
        {
            idleSamples.Add(Rss(pid) ?? 0);
            await Task.Delay(20);
        }

        idleSamples.Sort();
        var peak = 0L;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested && Rss(pid) is { } rss)
            {
                peak = Math.Max(peak, rss);
                await Task.Delay(20, CancellationToken.None);
            }
        });

        var clock = Stopwatch.StartNew();
        using var install = await owner.PostAsync(new Uri("/api/updates/install", UriKind.Relative), null);
        if (install.StatusCode != HttpStatusCode.Accepted)
        {
            await Console.Error.WriteLineAsync($"install refused: {(int)install.StatusCode} {await install.Content.ReadAsStringAsync()}");
            return 1;
        }

        var result = "daemon-exited";
        while (Rss(pid) is not null)
        {
            await Task.Delay(250);
            try
            {
                var status = await owner.GetFromJsonAsync<JsonElement>(new Uri("/api/updates", UriKind.Relative));
                if (status.GetProperty("lastInstall") is { ValueKind: JsonValueKind.Object } last)
                {
                    result = last.GetProperty("result").ToString();
                    break;
                }
            }
            catch (HttpRequestException)
            {
                // The daemon is going down for its restart into the new slot; the sampler has what it needs.
            }
        }

        var seconds = clock.Elapsed.TotalSeconds;
        await stop.CancelAsync();
        await sampler;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{idleSamples[idleSamples.Count / 2]} {peak} {result} {seconds:F1}"));
        return 0;
    }

    /// <summary>VmRSS in KiB, or null once the process is gone.</summary>
    private static long? Rss(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
