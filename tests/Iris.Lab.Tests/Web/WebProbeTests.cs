using System.Globalization;
using System.Text.Json;
using Iris.Lab.Network;
using Iris.Lab.Tests.Support;
using Iris.Lab.Tls;
using Iris.Lab.Web;

namespace Iris.Lab.Tests.Web;

public sealed class WebProbeTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task CarelessHttpsServer_FailsHsts_CookieFlags_SecurityTxt_AndInputValidation()
    {
        var (cert, key) = TestCertificates.SelfSigned(dir, "web", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        using var nginx = await Nginx.StartAsync(dir, $$"""
            listen 127.0.0.1:PORT ssl;
            ssl_certificate {{cert}};
            ssl_certificate_key {{key}};
            location = /.well-known/security.txt { return 200 "Contact: mailto:psirt@camera.example\nExpires: 2021-01-01T00:00:00Z\n"; }
            location /login { if ($request_method = POST) { return 500; } return 200 'form'; }
            location / { add_header Set-Cookie "sid=abc; HttpOnly; Path=/"; return 200 'camera'; }
            """);

        using var run = await Audit(nginx.Port, new { login = new { kind = "http-json", path = "/login" } });

        run.AssertFinding("5.4.2.1", "No Strict-Transport-Security header");
        run.AssertFinding("5.4.2.2", "Cookie without the Secure flag");
        run.AssertFinding("5.2.3.1", "security.txt does not meet RFC 9116");
        run.AssertFinding("5.5.2.1", "Server error on malformed input");
    }

    [Fact]
    public async Task CarefulHttpsServer_PassesSecurityTxt_AndInputValidation()
    {
        var (cert, key) = TestCertificates.SelfSigned(dir, "web", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var expires = DateTimeOffset.UtcNow.AddDays(200).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        using var nginx = await Nginx.StartAsync(dir, $$"""
            listen 127.0.0.1:PORT ssl;
            ssl_certificate {{cert}};
            ssl_certificate_key {{key}};
            add_header Strict-Transport-Security "max-age=31536000" always;
            location = /.well-known/security.txt { return 200 "Contact: mailto:psirt@camera.example\nExpires: {{expires}}\n"; }
            location /login { return 400; }
            location / { add_header Strict-Transport-Security "max-age=31536000" always; add_header Set-Cookie "sid=abc; Secure; HttpOnly" always; return 200 'camera'; }
            """);

        using var run = await Audit(nginx.Port, new { login = new { kind = "http-json", path = "/login" }, securityTxt = "/.well-known/security.txt" });

        Assert.True(run.Verdict("5.2.3.1") == "pass", run.Evidence("5.2.3.1"));
        Assert.True(run.Verdict("5.5.2.1") == "pass", run.Evidence("5.5.2.1"));
        Assert.DoesNotContain(run.Findings, f => f.Title.Contains("Strict-Transport", StringComparison.Ordinal) || f.Title.Contains("Cookie", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Contact: mailto:a@b.example\nExpires: 2099-01-01T00:00:00Z\n", "")]
    [InlineData("Expires: 2099-01-01T00:00:00Z\n", "no Contact field")]
    [InlineData("Contact: mailto:a@b.example\n", "no Expires field")]
    [InlineData("Contact: mailto:a@b.example\nExpires: 2020-05-01T00:00:00Z\n", "expired on 2020-05-01")]
    [InlineData("Contact: mailto:a@b.example\nExpires: soon\n", "not an RFC 3339 date")]
    public void SecurityTxt_RequiresContactAndAFutureExpires(string text, string problem)
    {
        var problems = SecurityTxtCheck.Problems(text, new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));

        if (problem.Length == 0)
        {
            Assert.Empty(problems);
        }
        else
        {
            Assert.Contains(problems, p => p.Contains(problem, StringComparison.Ordinal));
        }
    }

    private static Task<LabRun> Audit(int port, object ixit) =>
        LabRun.AuditAsync($"127.0.0.1:{port}", port.ToString(CultureInfo.InvariantCulture), [new ServiceProbe(), new TlsProbe(), new WebProbe()], JsonSerializer.Serialize(ixit));
}
