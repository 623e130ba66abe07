using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Iris.Lab.Auth;
using Iris.Lab.Network;
using Iris.Lab.Tests.Support;

namespace Iris.Lab.Tests.Auth;

/// <summary>5.1.1.3 from outside: a real sign-in with the lab's account, captured and sent again unchanged.</summary>
public sealed class ReplayProbeTests : IDisposable
{
    private const string Password = "Kx7-unique-Qm2-per-device";
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task BasicAuth_ReplayedSignIn_IsAcceptedAgain_AndFails()
    {
        await WriteHtpasswd("admin", Password);
        using var nginx = await Nginx.StartAsync(dir, $"listen 127.0.0.1:PORT; location / {{ auth_basic camera; auth_basic_user_file {dir.File("htpasswd")}; root {dir.File("www")}; }}");

        using var run = await Audit(nginx.Port, new { kind = "http-basic", path = "/" }, "admin", Password);

        run.AssertFinding("5.1.1.3", "Captured sign-in accepted again (replay)");
        Assert.Contains("answered HTTP 200", run.Evidence("5.1.1.3"), StringComparison.Ordinal);
        Assert.DoesNotContain(Password, File.ReadAllText(dir.File("out-report.json")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DigestAuth_WithoutNonceCountTracking_AcceptsTheReplay_AndFails()
    {
        using var lighttpd = await Lighttpd.StartDigestAsync(dir, "admin", Password);

        using var run = await Audit(lighttpd.Port, new { kind = "http-digest", path = "/index.html" }, "admin", Password);

        // lighttpd checks a Digest nonce's age, not its count: the same answer is good again within the nonce's lifetime.
        run.AssertFinding("5.1.1.3", "Captured sign-in accepted again (replay)");
        Assert.Contains("http-digest sign-in of 'admin' was accepted (HTTP 200)", run.Evidence("5.1.1.3"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongLabAccount_IsInconclusive_NotPass()
    {
        using var lighttpd = await Lighttpd.StartDigestAsync(dir, "admin", Password);

        using var run = await Audit(lighttpd.Port, new { kind = "http-digest", path = "/index.html" }, "admin", "not-the-password");

        Assert.Equal("inconclusive", run.Verdict("5.1.1.3"));
        Assert.Contains("was not accepted (HTTP 401)", run.Evidence("5.1.1.3"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoLabAccount_IsInconclusive_NotPass()
    {
        await WriteHtpasswd("admin", Password);
        using var nginx = await Nginx.StartAsync(dir, $"listen 127.0.0.1:PORT; location / {{ auth_basic camera; auth_basic_user_file {dir.File("htpasswd")}; root {dir.File("www")}; }}");

        using var run = await LabRun.AuditAsync($"127.0.0.1:{nginx.Port}", nginx.Port.ToString(CultureInfo.InvariantCulture), [new ReplayProbe()],
            JsonSerializer.Serialize(new { login = new { kind = "http-basic", path = "/" } }));

        Assert.Equal("inconclusive", run.Verdict("5.1.1.3"));
        Assert.Contains("--account", run.Evidence("5.1.1.3"), StringComparison.Ordinal);
    }

    private async Task WriteHtpasswd(string user, string password)
    {
        var start = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "passwd", "-apr1", password })
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var hash = (await process.StandardOutput.ReadToEndAsync()).Trim();
        await process.WaitForExitAsync();
        await File.WriteAllTextAsync(dir.File("htpasswd"), $"{user}:{hash}\n");
        Directory.CreateDirectory(dir.File("www"));
        await File.WriteAllTextAsync(dir.File("www/index.html"), "live");
    }

    private async Task<LabRun> Audit(int port, object login, string user, string password)
    {
        await File.WriteAllTextAsync(dir.File("account"), $"{user}:{password}\n");
        var run = await LabRun.AuditAsync($"127.0.0.1:{port}", port.ToString(CultureInfo.InvariantCulture), [new ServiceProbe(), new ReplayProbe()],
            JsonSerializer.Serialize(new { login }), "--account", dir.File("account"));
        await File.WriteAllTextAsync(dir.File("out-report.json"), run.Report.RootElement.GetRawText());
        return run;
    }
}
