using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Iris.Lab.Auth;
using Iris.Lab.Network;
using Iris.Lab.Tests.Support;
using Iris.Lab.Tls;

namespace Iris.Lab.Tests.Auth;

/// <summary>5.1.3.1 on the telnet and SSH services the scan finds: the most common default credentials, tried for real.</summary>
public sealed class ServiceLoginProbeTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task TelnetWithRootRoot_IsFound()
    {
        using var telnet = new TelnetResponder("root", "root");

        using var run = await Audit(telnet.Port);

        run.AssertFinding("5.1.3.1", "Default credentials accepted on telnet: root / root");
    }

    [Fact]
    public async Task TelnetWithAUniquePassword_RefusesEveryDefault_AndPasses()
    {
        using var telnet = new TelnetResponder("root", "Kx7-unique-Qm2-per-device");

        using var run = await Audit(telnet.Port);

        Assert.Equal("pass", run.Verdict("5.1.3.1"));
        Assert.Contains($"(telnet): the {ServiceLoginProbe.PerService} most common default credentials were refused", run.Evidence("5.1.3.1"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TelnetThatNeverPrompts_IsInconclusive_NotPass()
    {
        // Greets with a login prompt and hangs up before any answer.
        using var banner = BannerService.Telnet();

        using var run = await Audit(banner.Port);

        Assert.Equal("inconclusive", run.Verdict("5.1.3.1"));
    }

    [Fact]
    public async Task SshWithTheDeclaredUsersWeakPassword_IsFound()
    {
        using var sshd = await Sshd.StartAsync(dir);
        await sshd.AddAccountAsync("irislabcam", "123456");

        using var run = await Audit(sshd.Port, ixitUser: "irislabcam");

        run.AssertFinding("5.1.3.1", "Default credentials accepted on ssh: irislabcam / 123456");
    }

    [Fact]
    public async Task SshThatRefusesEveryDefault_Passes()
    {
        using var sshd = await Sshd.StartAsync(dir);

        using var run = await Audit(sshd.Port);

        Assert.Equal("pass", run.Verdict("5.1.3.1"));
        Assert.Contains("(ssh): the 6 most common default credentials were refused", run.Evidence("5.1.3.1"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RtspWithAdmin12345_IsFound()
    {
        using var rtsp = new RtspResponder("admin", "12345");

        using var run = await Audit(rtsp.Port);

        run.AssertFinding("5.1.3.1", "Default credentials accepted on rtsp: admin / 12345");
    }

    [Fact]
    public async Task RtspWithAUniquePassword_RefusesEveryDefault_AndPasses()
    {
        using var rtsp = new RtspResponder("admin", "Kx7-unique-Qm2-per-device");

        using var run = await Audit(rtsp.Port);

        Assert.Equal("pass", run.Verdict("5.1.3.1"));
        Assert.Contains("(rtsp): the 6 most common default credentials were refused", run.Evidence("5.1.3.1"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RtspWithNoLoginAtAll_IsInconclusive_NotPass()
    {
        using var rtsp = new RtspResponder(null, null);

        using var run = await Audit(rtsp.Port);

        Assert.Equal("inconclusive", run.Verdict("5.1.3.1"));
        Assert.Contains("answered 200 with no login at all", run.Evidence("5.1.3.1"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RealRtspServerWithDigest_Admin12345_IsFound()
    {
        using var server = await RtspDigestServer("admin", "12345");

        using var run = await Audit(server.Port);

        run.AssertFinding("5.1.3.1", "Default credentials accepted on rtsp: admin / 12345");
    }

    [Fact]
    public async Task RealRtspServerWithDigest_AndAUniquePassword_RefusesEveryDefault_AndPasses()
    {
        using var server = await RtspDigestServer("admin", "Kx7-unique-Qm2-per-device");

        using var run = await Audit(server.Port);

        Assert.True(run.Verdict("5.1.3.1") == "pass", run.Evidence("5.1.3.1"));
        Assert.Contains("(rtsp): the 6 most common default credentials were refused", run.Evidence("5.1.3.1"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RtspsWithAdmin12345_IsFound_InsideTls()
    {
        var (cert, key) = TestCertificates.SelfSigned(dir, "rtsps", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        using var identity = X509Certificate2.CreateFromPemFile(cert, key);
        using var rtsps = new RtspResponder("admin", "12345", identity);

        using var run = await LabRun.AuditAsync($"127.0.0.1:{rtsps.Port}", rtsps.Port.ToString(CultureInfo.InvariantCulture), [new ServiceProbe(), new TlsProbe(), new ServiceLoginProbe()]);

        run.AssertFinding("5.1.3.1", "Default credentials accepted on rtsps: admin / 12345");
        Assert.Contains(run.Findings, f => f.Title.Contains("rtsps", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HttpsPort_IsNotTriedAsRtsps()
    {
        var (cert, key) = TestCertificates.SelfSigned(dir, "web", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        using var nginx = await Nginx.StartAsync(dir, $$"""
            listen 127.0.0.1:PORT ssl;
            ssl_certificate {{cert}};
            ssl_certificate_key {{key}};
            location / { return 200 'camera'; }
            """);

        using var run = await LabRun.AuditAsync($"127.0.0.1:{nginx.Port}", nginx.Port.ToString(CultureInfo.InvariantCulture), [new ServiceProbe(), new TlsProbe(), new ServiceLoginProbe()]);

        Assert.Equal("manual", run.Verdict("5.1.3.1"));
    }

    /// <summary>GStreamer's RTSP server with Digest authentication only, run by Debian's Python (which has the GObject bindings).</summary>
    private static Task<TargetProcess> RtspDigestServer(string user, string password) =>
        TargetProcess.StartAsync("/usr/bin/python3", port => [Path.Combine(AppContext.BaseDirectory, "Support", "rtsp-digest-server.py"), port.ToString(CultureInfo.InvariantCulture), user, password]);

    private static Task<LabRun> Audit(int port, string? ixitUser = null) =>
        LabRun.AuditAsync($"127.0.0.1:{port}", port.ToString(CultureInfo.InvariantCulture), [new ServiceProbe(), new ServiceLoginProbe()],
            ixitUser is null ? null : JsonSerializer.Serialize(new { login = new { kind = "http-basic", path = "/", username = ixitUser } }));
}
