using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Iris.Bench;

/// <summary>
/// Alert source for bench/link.sh: claims the daemon and raises COUNT test alerts through its API, PACE_MS apart
/// (0 = as fast as the API answers). Latency is measured by the script at the MQTT subscriber, from each alert's
/// own "at" time. Usage: link-alerts URL CERT_PEM DEFAULT_PASSWORD|- COUNT PACE_MS
/// </summary>
internal static class LinkAlerts
{
    public static async Task<int> RunAsync(string[] args)
    {
        var url = new Uri(args[0]);
        using var certificate = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(args[1]));
        var count = int.Parse(args[3], CultureInfo.InvariantCulture);
        var pace = TimeSpan.FromMilliseconds(int.Parse(args[4], CultureInfo.InvariantCulture));
        using var owner = LoginFlood.Client(url, certificate, IPAddress.Loopback);
        // "-" when the daemon is already claimed (a second run of the source against the same daemon).
        if (args[2] != "-")
        {
            await LoginFlood.ClaimAsync(owner, args[2]);
        }

        await LoginFlood.SignInAsync(owner, "bench owner passphrase 2026", expectSuccess: true);
        for (var i = 0; i < count; i++)
        {
            using var response = await owner.PostAsync(new Uri("/api/link/test-alert", UriKind.Relative), null);
            response.EnsureSuccessStatusCode();
            if (pace > TimeSpan.Zero)
            {
                await Task.Delay(pace);
            }
        }

        return 0;
    }
}
