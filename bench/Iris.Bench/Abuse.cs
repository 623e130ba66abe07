using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace Iris.Bench;

/// <summary>
/// Issue 11 acceptance: four abuse scenarios against the whole daemon, driven by bench/abuse.sh. The owner signs
/// in from known addresses (127.0.0.10-33, see <see cref="Owner.KnownAddresses"/>) and from a new address per
/// attempt (127.2.x.y); attackers use 127.1.x.y, the viewer 127.0.0.3, the administrator's live view 127.0.0.1.
/// The attacker and the measuring owner are separate processes, so the owner's client (normal priority) does not
/// queue behind the attack's own work (nice 19): as on a real network, where they are different hosts.
/// Usage:
///   abuse setup URL CERT_PEM DEFAULT_PASSWORD DIR   claim from 127.0.0.1, sign in from the known addresses, create the viewer
///   abuse attack KIND URL CERT_PEM DIR SECONDS       KIND: nonce-drain, connections, spray, live-hog; writes DIR/ready
///                                                    after the ramp-up, stops when DIR/stop appears (or SECONDS + 30 s)
///   abuse measure NAME URL CERT_PEM DAEMON_PID DIR SECONDS NEW_ADDRESS_OFFSET MODE   MODE: sign-ins, live, both
///   abuse report DIR
/// </summary>
internal static class Abuse
{
    public static readonly string[] Kinds = ["nonce-drain", "connections", "spray", "live-hog"];

    /// <summary>Time an attack runs before the owner is measured, so the owner meets it in full swing.</summary>
    private static readonly TimeSpan RampUp = TimeSpan.FromSeconds(2);

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static async Task<int> RunAsync(string[] args)
    {
        switch (args)
        {
            case ["setup", var url, var cert, var defaultPassword, var dir]:
                await SetupAsync(await TargetAsync(url, cert), defaultPassword, dir);
                return 0;
            case ["attack", var kind, var url, var cert, var dir, var seconds]:
                await AttackAsync(kind, await TargetAsync(url, cert), dir, TimeSpan.FromSeconds(int.Parse(seconds, CultureInfo.InvariantCulture)));
                return 0;
            case ["measure", var name, var url, var cert, var pid, var dir, var seconds, var offset, var mode]:
                await MeasureAsync(name, await TargetAsync(url, cert), int.Parse(pid, CultureInfo.InvariantCulture), dir,
                    TimeSpan.FromSeconds(int.Parse(seconds, CultureInfo.InvariantCulture)), int.Parse(offset, CultureInfo.InvariantCulture), mode);
                return 0;
            case ["report", var dir]:
                return Report(dir);
            default:
                await Console.Error.WriteLineAsync("usage: see bench/Iris.Bench/Abuse.cs");
                return 2;
        }
    }

    private static async Task<Target> TargetAsync(string url, string certificatePem) =>
        new(new Uri(url), X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(certificatePem)));

    /// <summary>
    /// The owner claims the device from 127.0.0.1 and signs in there again (so that address is known), then
    /// creates the viewer account; the viewer sets its own password from its address.
    /// </summary>
    private static async Task SetupAsync(Target target, string defaultPassword, string dir)
    {
        using var owner = LoginFlood.Client(target.Url, target.Certificate, IPAddress.Loopback);
        await LoginFlood.ClaimAsync(owner, defaultPassword);
        await LoginFlood.SignInAsync(owner, LoginFlood.OwnerPassword, expectSuccess: true);
        await File.WriteAllTextAsync(Path.Combine(dir, "owner-cookies"), string.Join("; ", LoginFlood.Cookies.GetCookies(target.Url).Select(c => $"{c.Name}={c.Value}")));
        foreach (var address in Owner.KnownAddresses)
        {
            if (await Owner.TimedSignInAsync(target, address) is { Answer: not "200" } refused)
            {
                throw new InvalidOperationException($"the owner could not sign in from {address}: {refused.Answer}");
            }
        }

        var temporary = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
        var password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
        using (var created = await owner.PostAsJsonAsync(new Uri("/api/users", UriKind.Relative), new { username = LiveViewHog.Username, role = "viewer", password = temporary }))
        {
            Ensure(created, HttpStatusCode.Created, "create the viewer account");
        }

        using (var viewer = await LiveViewHog.SessionAsync(target, temporary))
        using (var changed = await viewer.PostAsJsonAsync(new Uri("/api/auth/password", UriKind.Relative), new { currentPassword = temporary, newPassword = password }))
        {
            Ensure(changed, HttpStatusCode.NoContent, "set the viewer's own password");
        }

        await File.WriteAllTextAsync(Path.Combine(dir, "viewer-password"), password);
    }

    private static async Task AttackAsync(string kind, Target target, string dir, TimeSpan seconds)
    {
        IAttack attack = kind switch
        {
            "nonce-drain" => new NonceDrain(target, sources: 8, workersPerSource: 8),
            "connections" => new ConnectionExhaustion(target, IPAddress.Parse("127.1.2.1"), tlsConnections: 300, rawConnections: 300),
            "spray" => new LoginSpray(target, sources: 50),
            "live-hog" => new LiveViewHog(target, await File.ReadAllTextAsync(Path.Combine(dir, "viewer-password"))),
            _ => throw new ArgumentException($"unknown attack '{kind}'", nameof(kind)),
        };

        await attack.PrepareAsync();
        using var stop = new CancellationTokenSource();
        var running = attack.RunAsync(stop.Token);
        await Task.Delay(RampUp);
        await File.WriteAllTextAsync(Path.Combine(dir, "ready"), "");

        // Stops when the measurement is done, and by itself if nobody says so (or the script's directory is gone).
        var clock = Stopwatch.StartNew();
        while (!File.Exists(Path.Combine(dir, "stop")) && Directory.Exists(dir) && clock.Elapsed < seconds + TimeSpan.FromSeconds(30) && !running.IsCompleted)
        {
            await Task.Delay(100);
        }

        attack.MarkEnd();
        await stop.CancelAsync();
        await running;
        await File.WriteAllTextAsync(Path.Combine(dir, kind + ".attack.json"),
            JsonSerializer.Serialize(new AttackResult(attack.Name, attack.Description, attack.Summary()), Json));
    }

    private static async Task MeasureAsync(string name, Target target, int daemonPid, string dir, TimeSpan duration, int newAddressOffset, string mode)
    {
        var signIns = mode is "sign-ins" or "both";
        var cookies = mode is "live" or "both" ? await File.ReadAllTextAsync(Path.Combine(dir, "owner-cookies")) : null;

        // Warm-up, not counted: the measuring client's own first-call costs (JIT, TLS set-up) are not the daemon's.
        var turn = 0;
        IPAddress NextKnown() => Owner.KnownAddresses[turn++ % Owner.KnownAddresses.Length];
        if (signIns)
        {
            await Owner.TimedSignInAsync(target, NextKnown());
        }

        if (cookies is not null)
        {
            await Owner.WatchOnceAsync(target, cookies, new LiveStats());
        }

        var next = newAddressOffset;
        var cpuBefore = LoginFlood.CpuTicks(daemonPid);
        var clock = Stopwatch.StartNew();
        var known = signIns ? Owner.SignInLoopAsync(target, NextKnown, duration, TimeSpan.FromMilliseconds(200)) : Task.FromResult(new SignInStats());
        var fresh = signIns ? Owner.SignInLoopAsync(target, () => Owner.NewAddress(next++), duration, TimeSpan.FromMilliseconds(300)) : Task.FromResult(new SignInStats());
        var live = cookies is not null ? Owner.LiveLoopAsync(target, cookies, duration) : Task.FromResult(new LiveStats());
        await Task.WhenAll(known, fresh, live);
        var cpu = (LoginFlood.CpuTicks(daemonPid) - cpuBefore) / clock.Elapsed.TotalSeconds; // ticks/s = % of one core at CLK_TCK 100
        var phase = new PhaseResult(await known, await fresh, cookies is null ? null : await live, cpu);
        await File.WriteAllTextAsync(Path.Combine(dir, name + ".json"), JsonSerializer.Serialize(phase, Json));
    }

    private static int Report(string dir)
    {
        T Read<T>(string file) => JsonSerializer.Deserialize<T>(File.ReadAllText(Path.Combine(dir, file)))!;
        var quiet = Read<PhaseResult>("quiet.json");
        var quietLive = Read<PhaseResult>("quiet-live.json").Live!;
        var findings = new List<string>();
        Console.WriteLine($"Quiet daemon: owner's failed sign-ins: known addresses: {quiet.Known.FailureText()}; new addresses: {quiet.New.FailureText()}");
        for (var i = 0; i < Kinds.Length; i++)
        {
            var attack = Read<AttackResult>(Kinds[i] + ".attack.json");
            var measured = Read<PhaseResult>(Kinds[i] + ".json");
            Console.WriteLine();
            Console.WriteLine($"### {i + 1}. {attack.Name}");
            Console.WriteLine();
            Console.WriteLine(attack.Description);
            Console.WriteLine();
            SignInTable(attack.Name, quiet, measured, findings);
            Console.WriteLine();
            Console.WriteLine($"- attack: {attack.Summary}");
            Console.WriteLine($"- owner's failed sign-ins: known addresses: {measured.Known.FailureText()}; new addresses: {measured.New.FailureText()}");
            if (measured.Live is { } live)
            {
                Console.WriteLine();
                Console.WriteLine("| phase | administrator live streams ok/total | response headers p50 ms | p99 ms | first frame headers p50 ms | p99 ms |");
                Console.WriteLine("|---|---|---|---|---|---|");
                Console.WriteLine(quietLive.Row("quiet"));
                Console.WriteLine(live.Row(attack.Name));
                Console.WriteLine();
                Console.WriteLine($"- administrator's failed live streams: quiet: {Counts.Format(quietLive.Failures)}; {attack.Name}: {Counts.Format(live.Failures)}");
                if (live.Ok < live.Total)
                {
                    findings.Add($"{attack.Name}: the administrator got {live.Ok}/{live.Total} live streams");
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine(findings.Count == 0
            ? "Targets met: the owner always got in, and every p99 stayed within 2x of quiet."
            : "Targets missed: " + string.Join("; ", findings) + ".");
        return 0;
    }

    private static void SignInTable(string name, PhaseResult quiet, PhaseResult attack, List<string> findings)
    {
        var knownRatio = attack.Known.P99 / quiet.Known.P99;
        var newRatio = attack.New.P99 / quiet.New.P99;
        Console.WriteLine("| phase | known-address sign-ins ok/total | p50 ms | p99 ms | new-address sign-ins ok/total | p50 ms | p99 ms | p99 attack/quiet (known, new) | daemon CPU (% of one core) |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| quiet | {quiet.Known.Cells()} | {quiet.New.Cells()} | | {quiet.CpuPercent:F0} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {attack.Known.Cells()} | {attack.New.Cells()} | {knownRatio:F2}x, {newRatio:F2}x | {attack.CpuPercent:F0} |"));
        foreach (var (stats, address, ratio) in new[] { (attack.Known, "known addresses", knownRatio), (attack.New, "new addresses", newRatio) })
        {
            if (stats.Ok < stats.Total)
            {
                findings.Add($"{name}: the owner got in from {address} {stats.Ok}/{stats.Total} times");
            }

            if (!(ratio <= 2))
            {
                findings.Add(string.Create(CultureInfo.InvariantCulture, $"{name}: p99 from {address} {ratio:F2}x quiet"));
            }
        }
    }

    private static void Ensure(HttpResponseMessage response, HttpStatusCode expected, string step)
    {
        if (response.StatusCode != expected)
        {
            throw new InvalidOperationException($"could not {step}: {(int)response.StatusCode}");
        }
    }

    private sealed record PhaseResult(SignInStats Known, SignInStats New, LiveStats? Live, double CpuPercent);

    private sealed record AttackResult(string Name, string Description, string Summary);
}
