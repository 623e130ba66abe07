using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Iris.Lab.Auth;
using Iris.Lab.Network;
using Iris.Lab.Tests.Support;

namespace Iris.Lab.Tests.Auth;

public sealed class AuthProbeTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task BasicAuthWithAdminAdmin_FailsDefaultPasswords_AndUnlimitedAttempts()
    {
        await WriteHtpasswd("admin", "admin");
        using var nginx = await Nginx.StartAsync(dir, $"listen 127.0.0.1:PORT; location / {{ auth_basic camera; auth_basic_user_file {dir.File("htpasswd")}; root {dir.File("www")}; }}");

        using var run = await Audit(nginx.Port, new { kind = "http-basic", path = "/" });

        run.AssertFinding("5.1.3.1", "Default credentials accepted: admin / admin");
        run.AssertFinding("5.1.2.2", "Unlimited password attempts");
    }

    [Fact]
    public async Task BasicAuthWithAUniquePassword_PassesDefaults_ButStillFailsUnlimitedAttempts()
    {
        await WriteHtpasswd("admin", "Kx7-unique-Qm2-per-device");
        using var nginx = await Nginx.StartAsync(dir, $"listen 127.0.0.1:PORT; location / {{ auth_basic camera; auth_basic_user_file {dir.File("htpasswd")}; root {dir.File("www")}; }}");

        using var run = await Audit(nginx.Port, new { kind = "http-basic", path = "/" });

        Assert.Equal("pass", run.Verdict("5.1.3.1"));
        run.AssertFinding("5.1.2.2", "Unlimited password attempts");
        Assert.Contains("12 wrong passwords in a row", run.Evidence("5.1.2.2"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DigestAuthWithAdminAdmin_FailsDefaultPasswords()
    {
        using var lighttpd = await Lighttpd.StartDigestAsync(dir, "admin", "admin");

        using var run = await Audit(lighttpd.Port, new { kind = "http-digest", path = "/index.html" });

        run.AssertFinding("5.1.3.1", "Default credentials accepted: admin / admin");
    }

    [Fact]
    public async Task DigestAuthWithAUniquePassword_PassesDefaults_AndCountsEveryWrongAnswer()
    {
        using var lighttpd = await Lighttpd.StartDigestAsync(dir, "admin", "Kx7-unique-Qm2-per-device");

        using var run = await Audit(lighttpd.Port, new { kind = "http-digest", path = "/index.html" });

        Assert.Equal("pass", run.Verdict("5.1.3.1"));
        run.AssertFinding("5.1.2.2", "Unlimited password attempts");
    }

    [Fact]
    public async Task RateLimitedLogin_IsThrottled()
    {
        await WriteHtpasswd("admin", "Kx7-unique-Qm2-per-device");
        using var nginx = await Nginx.StartAsync(dir,
            $"listen 127.0.0.1:PORT; location = /live.html {{ limit_req zone=login nodelay; limit_req_status 429; auth_basic camera; auth_basic_user_file {dir.File("htpasswd")}; root {dir.File("www")}; }}",
            "limit_req_zone $binary_remote_addr zone=login:1m rate=1r/m;");

        using var run = await Audit(nginx.Port, new { kind = "http-basic", path = "/live.html" });

        Assert.Equal("pass", run.Verdict("5.1.2.2"));
        Assert.Contains("throttled at attempt 2 (HTTP 429", run.Evidence("5.1.2.2"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RateLimitedLogin_SeriesStopsAtTheFirstThrottledAnswer_OnceTheVerdictIsDecided()
    {
        await WriteHtpasswd("admin", "Kx7-unique-Qm2-per-device");
        using var nginx = await Nginx.StartAsync(dir,
            $"listen 127.0.0.1:PORT; location = /live.html {{ limit_req zone=login nodelay; limit_req_status 429; auth_basic camera; auth_basic_user_file {dir.File("htpasswd")}; root {dir.File("www")}; }}",
            "limit_req_zone $binary_remote_addr zone=login:1m rate=1r/m;");

        using var run = await Audit(nginx.Port, new { kind = "http-basic", path = "/live.html" });

        // One refused, one throttled, nothing after: no IXIT alert channel needs more wrong passwords.
        Assert.Matches(@"series: 401/\d+ms, 429/\d+ms$", run.Evidence("5.1.2.2"));
        Assert.Contains("1 well-known default credentials refused", run.Evidence("5.1.3.1"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoDeclaredLogin_IsInconclusive_NotPass()
    {
        using var nginx = await Nginx.StartAsync(dir, "listen 127.0.0.1:PORT; return 200 'x';");

        using var run = await LabRun.AuditAsync($"127.0.0.1:{nginx.Port}", nginx.Port.ToString(CultureInfo.InvariantCulture), [new AuthProbe()], "{}");

        Assert.Equal("inconclusive", run.Verdict("5.1.3.1"));
        Assert.Equal("inconclusive", run.Verdict("5.1.2.2"));
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
        // The protected page: nginx's "return" would answer before auth_basic runs, so a real file is served.
        Directory.CreateDirectory(dir.File("www"));
        await File.WriteAllTextAsync(dir.File("www/index.html"), "live");
        await File.WriteAllTextAsync(dir.File("www/live.html"), "live");
    }

    private static Task<LabRun> Audit(int port, object login) =>
        LabRun.AuditAsync($"127.0.0.1:{port}", port.ToString(CultureInfo.InvariantCulture), [new ServiceProbe(), new AuthProbe()],
            JsonSerializer.Serialize(new { login }));
}
