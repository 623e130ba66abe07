using System.Globalization;
using System.Text.Json;
using Iris.Lab.Network;
using Iris.Lab.Tests.Support;
using Iris.Lab.Tls;

namespace Iris.Lab.Tests.Network;

public sealed class ServiceProbeTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task TelnetService_FailsSecureChannel_AndCarriesCredentialsInClear()
    {
        using var telnet = BannerService.Telnet();

        using var run = await Audit(telnet.Port, telnet.Port.ToString(CultureInfo.InvariantCulture));

        run.AssertFinding("5.4.2.1", $"Plaintext service: telnet on port {telnet.Port}");
        run.AssertFinding("5.4.2.2", $"Credentials can cross telnet in clear on port {telnet.Port}");
    }

    [Fact]
    public async Task PlainHttpNginx_FailsSecureChannel()
    {
        using var nginx = await Nginx.StartAsync(dir, "listen 127.0.0.1:PORT; location / { return 200 'camera'; }");

        using var run = await Audit(nginx.Port, nginx.Port.ToString(CultureInfo.InvariantCulture));

        run.AssertFinding("5.4.2.1", $"Plaintext service: http on port {nginx.Port}");
        run.AssertFinding("5.4.2.2", $"Credentials can cross http in clear on port {nginx.Port}");
    }

    [Fact]
    public async Task HttpPortThatOnlyRedirectsToHttps_IsNotAPlaintextFinding()
    {
        using var nginx = await Nginx.StartAsync(dir, "listen 127.0.0.1:PORT; return 301 https://$host$request_uri;");

        using var run = await LabRun.AuditAsync($"127.0.0.1:{nginx.Port}", nginx.Port.ToString(CultureInfo.InvariantCulture), [new ServiceProbe()]);

        Assert.Equal("pass", run.Verdict("5.4.2.1"));
        Assert.Contains($"{nginx.Port}/http-redirect", run.Evidence("5.4.2.1"), StringComparison.Ordinal);
        Assert.Empty(run.Findings);
    }

    [Fact]
    public async Task OpenPortTheIxitDoesNotDeclare_FailsNeededServicesOnly()
    {
        using var telnet = BannerService.Telnet();
        using var declaredTls = await TargetProcess.StartAsync("openssl", port =>
        {
            var (cert, key) = TestCertificates.SelfSigned(dir, "svc", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(9));
            return ["s_server", "-accept", $"127.0.0.1:{port}", "-cert", cert, "-key", key, "-quiet"];
        });
        var ixit = JsonSerializer.Serialize(new { services = new[] { new { transport = "tcp", port = declaredTls.Port, protocol = "https", purpose = "web" } } });

        using var run = await Audit(declaredTls.Port, $"{declaredTls.Port},{telnet.Port}", ixit);

        run.AssertFinding("5.2.2.1", $"Undeclared network service on port {telnet.Port}");
        Assert.DoesNotContain(run.Findings, f => f.Title.Contains($"port {declaredTls.Port}", StringComparison.Ordinal) && f.Item == "5.2.2.1");
        Assert.Contains(JsonSerializer.Serialize(declaredTls.Port), run.Report.RootElement.GetProperty("tls")[0].GetProperty("port").GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutIxit_NeededServicesAreInconclusive_NotPass()
    {
        using var nginx = await Nginx.StartAsync(dir, "listen 127.0.0.1:PORT; return 301 https://$host$request_uri;");

        using var run = await Audit(nginx.Port, nginx.Port.ToString(CultureInfo.InvariantCulture));

        Assert.Equal("inconclusive", run.Verdict("5.2.2.1"));
    }

    [Fact]
    public async Task ConnectScan_FindsExactlyTheListeningPortsInARange()
    {
        using var first = BannerService.Telnet();
        using var second = BannerService.Telnet();
        var low = Math.Min(first.Port, second.Port);
        var high = Math.Max(first.Port, second.Port);
        var range = Enumerable.Range(Math.Max(1, low - 300), high - Math.Max(1, low - 300) + 301).Where(p => p <= 65535).ToList();

        var open = await PortScanner.OpenPortsAsync("127.0.0.1", range, TimeSpan.FromSeconds(1), 64, CancellationToken.None);

        Assert.Contains(first.Port, open);
        Assert.Contains(second.Port, open);
    }

    private static Task<LabRun> Audit(int port, string ports, string? ixit = null) =>
        LabRun.AuditAsync($"127.0.0.1:{port}", ports, [new ServiceProbe(), new TlsProbe()], ixit);
}
