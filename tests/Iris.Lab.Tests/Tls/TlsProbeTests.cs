using System.Diagnostics;
using System.Text.Json;
using System.Xml.Linq;
using Iris.Lab.Tests.Support;
using Iris.Lab.Tls;

namespace Iris.Lab.Tests.Tls;

/// <summary>Real misconfigured servers (openssl s_server, keys made at run time) each fail the right item with the right finding.</summary>
public sealed class TlsProbeTests : IDisposable
{
    private static readonly string[] OnlyScanAndTls = ["services", "tls"];

    private static readonly string[] TlsPhases = ["protocols", "suites", "groups", "certificate", "signature-schemes"];

    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task Tls10OnlyServer_FailsAnnexA_WithoutTls12()
    {
        using var server = await SServer(SelfSigned(), "-tls1", "-cipher", "ALL:@SECLEVEL=0");

        using var run = await Audit(server);

        run.AssertFinding("5.4.2.1", "TLSv1.0 accepted");
        run.AssertFinding("5.4.2.1", "TLS 1.2 not offered");
        Assert.Equal(["TLSv1.0"], Tls(run).GetProperty("versions").EnumerateObject().Select(p => p.Name));
        Assert.Equal(1, run.ExitCode);
    }

    [Fact]
    public async Task StaticRsaServer_FailsForwardSecrecy()
    {
        using var server = await SServer(SelfSigned(), "-no_tls1_3", "-cipher", "kRSA");

        using var run = await Audit(server);

        run.AssertFinding("5.4.2.1", "Static RSA key exchange");
        Assert.All(Suites(run, "TLSv1.2"), s => Assert.StartsWith("TLS_RSA_WITH_", s, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Dhe1024Server_FailsOnTheGroupSize()
    {
        var dh = dir.File("dh1024.pem");
        await RunToEnd("openssl", "dhparam", "-out", dh, "1024");
        using var server = await SServer(SelfSigned(), "-no_tls1_3", "-cipher", "kDHE:@SECLEVEL=0", "-dhparam", dh);

        using var run = await Audit(server);

        run.AssertFinding("5.4.2.1", "DHE group of 1024 bits");
        Assert.Equal([1024], Tls(run).GetProperty("dhBits").EnumerateArray().Select(b => b.GetInt32()));
    }

    [Fact]
    public async Task CbcOnlyServer_FailsForLackOfAesGcm()
    {
        using var server = await SServer(SelfSigned(), "-no_tls1_3", "-cipher", "ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA384");

        using var run = await Audit(server);

        run.AssertFinding("5.4.2.1", "No forward-secret AES-GCM suite");
        Assert.Equal(["TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"], Suites(run, "TLSv1.2").Order());
    }

    [Fact]
    public async Task ExpiredCertificate_Fails()
    {
        var now = DateTimeOffset.UtcNow;
        using var server = await SServer(TestCertificates.SelfSigned(dir, "expired", now.AddDays(-30), now.AddDays(-1)));

        using var run = await Audit(server);

        run.AssertFinding("5.4.2.1", "Certificate expired");
    }

    [Fact]
    public async Task SelfSignedCertificate_Fails_UnlessItIsTheDeclaredAnchor()
    {
        using var server = await SServer(SelfSigned());

        using var run = await Audit(server);

        run.AssertFinding("5.4.2.1", "Self-signed certificate");
    }

    [Fact]
    public async Task WellConfiguredServer_WithTheDeclaredCa_PassesBothTlsItems()
    {
        var (cert, key, ca) = TestCertificates.IssuedByCa(dir, "camera");
        using var server = await SServer((cert, key), "-no_tls1", "-no_tls1_1", "-cipher", "ECDHE+AESGCM",
            "-ciphersuites", "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256", "-groups", "P-256:P-384");

        using var run = await Audit(server, JsonSerializer.Serialize(new { tlsTrustAnchorPem = ca }));

        Assert.True(run.Verdict("5.4.2.1") == "pass", run.Evidence("5.4.2.1"));
        Assert.Equal("pass", run.Verdict("5.4.2.2"));
        Assert.Empty(run.Findings);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["secp256r1", "secp384r1"], Tls(run).GetProperty("groups").EnumerateArray().Select(g => g.GetString()));
        // A P-256 key signs TLS 1.3 handshakes with the one scheme bound to its curve.
        Assert.Equal(["ecdsa_secp256r1_sha256"], Signatures(run, "TLSv1.3"));
        Assert.Contains("ecdsa_secp256r1_sha256", Signatures(run, "TLSv1.2"));
    }

    [Fact]
    public async Task ServerRestrictedWithSigalgs_SignsOnlyWithTheAllowedSchemes_PerVersion()
    {
        using var server = await SServer(SelfSigned(), "-sigalgs", "rsa_pss_rsae_sha256:RSA+SHA384");

        using var run = await Audit(server);

        // rsa_pkcs1_sha384 may sign TLS 1.2 handshakes only; TLS 1.3 allows RSA-PSS alone.
        Assert.Equal(["rsa_pkcs1_sha384", "rsa_pss_rsae_sha256"], Signatures(run, "TLSv1.2").Order());
        Assert.Equal(["rsa_pss_rsae_sha256"], Signatures(run, "TLSv1.3"));
        Assert.DoesNotContain(run.Findings, f => f.Title.Contains("signed with", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sha1SigningServer_FailsTheChannel_OnTheSha1Signature()
    {
        using var server = await SServer(SelfSigned(), "-no_tls1_3", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0", "-sigalgs", "RSA+SHA1:RSA+SHA256");

        using var run = await Audit(server);

        run.AssertFinding("5.4.2.1", "TLSv1.2 handshake signed with SHA-1 signatures");
        Assert.Equal(["rsa_pkcs1_sha1", "rsa_pkcs1_sha256"], Signatures(run, "TLSv1.2").Order());
    }

    [Fact]
    public async Task SameSignatureSchemesAsSslscan()
    {
        using var server = await SServer(SelfSigned(), "-sigalgs", "rsa_pss_rsae_sha256:rsa_pss_rsae_sha384:RSA+SHA256:RSA+SHA512");
        var xml = dir.File("sslscan-sigs.xml");
        await RunToEnd("sslscan", "--no-colour", "--no-ciphersuites", "--no-heartbleed", "--no-renegotiation", "--no-compression", "--no-fallback", "--no-groups", "--show-sigs", $"--xml={xml}", $"127.0.0.1:{server.Port}");

        using var run = await Audit(server);

        var theirs = XDocument.Load(xml).Descendants("connection-signature-algorithm").ToLookup(s => s.Attribute("sslversion")!.Value, s => s.Attribute("name")!.Value);
        Assert.NotEmpty(theirs["TLSv1.2"]);
        foreach (var version in new[] { "TLSv1.2", "TLSv1.3" })
        {
            Assert.Equal(theirs[version].Order(), Signatures(run, version).Order());
        }
    }

    [Fact]
    public async Task TlsCommand_AuditsOnePortAlone_AndSaysWhereItsTimeWent()
    {
        using var server = await SServer(SelfSigned(), "-no_tls1_3", "-cipher", "kRSA");
        var port = server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var code = await LabCli.RunAsync(["tls", "--target", $"127.0.0.1:{port}", "--out", dir.File("tls-out"), "--timeout-ms", "3000"], new StringWriter(), new StringWriter());

        Assert.Equal(LabCli.ItemFailed, code);
        using var report = JsonDocument.Parse(File.ReadAllBytes(dir.File("tls-out/report.json")));
        Assert.Equal(server.Port, Assert.Single(report.RootElement.GetProperty("tls").EnumerateArray()).GetProperty("port").GetInt32());
        Assert.Contains(report.RootElement.GetProperty("findings").EnumerateArray(), f => f.GetProperty("title").GetString()!.StartsWith("Static RSA key exchange", StringComparison.Ordinal));
        var timings = PhaseTimings.Read(report);
        timings.AssertPlausible();
        Assert.Equal(OnlyScanAndTls, timings.Phases.Where(p => !p.Phase.Contains('/', StringComparison.Ordinal)).Select(p => p.Phase).Order(StringComparer.Ordinal));
        Assert.All(TlsPhases, phase => timings.Single($"tls/{port}/{phase}"));
    }

    [Fact]
    public async Task ClosedPort_IsInconclusive_NeverPass()
    {
        var port = TargetProcess.FreePort();

        using var run = await LabRun.AuditAsync($"127.0.0.1:{port}", port.ToString(System.Globalization.CultureInfo.InvariantCulture), [new TlsProbe()]);

        Assert.Equal("inconclusive", run.Verdict("5.4.2.1"));
        Assert.Equal("inconclusive", run.Verdict("5.4.2.2"));
    }

    [Fact]
    public async Task SameVersionsSuitesAndGroupsAsSslscan()
    {
        // Groups limited to fast ones: an ffdhe8192 key share takes seconds on a loaded machine and sslscan then times it out.
        using var server = await SServer(SelfSigned(), "-cipher", "ALL:@SECLEVEL=0", "-groups", "P-256:P-384:P-521:X25519:ffdhe2048");
        var xml = dir.File("sslscan.xml");
        await RunToEnd("sslscan", "--no-colour", "--no-heartbleed", "--no-renegotiation", "--no-compression", "--no-fallback", $"--xml={xml}", $"127.0.0.1:{server.Port}");
        var toIana = await OpenSslToIanaNames();

        using var run = await Audit(server);

        var scan = XDocument.Load(xml);
        var theirVersions = scan.Descendants("protocol").Where(p => p.Attribute("enabled")?.Value == "1")
            .Select(p => (p.Attribute("type")!.Value == "ssl" ? "SSLv" : "TLSv") + p.Attribute("version")!.Value).Order();
        var ours = Tls(run).GetProperty("versions");
        Assert.Equal(theirVersions, ours.EnumerateObject().Select(p => p.Name).Order());
        foreach (var version in ours.EnumerateObject())
        {
            var theirs = scan.Descendants("cipher").Where(c => c.Attribute("sslversion")!.Value == version.Name)
                .Select(c => toIana.GetValueOrDefault(c.Attribute("cipher")!.Value, c.Attribute("cipher")!.Value)).Order();
            Assert.Equal(theirs, version.Value.EnumerateArray().Select(s => s.GetString()!).Order());
        }

        var theirGroups = scan.Descendants("group").Select(g => g.Attribute("name")!.Value.Split(' ')[0]).Distinct().Order();
        Assert.Equal(theirGroups, Tls(run).GetProperty("groups").EnumerateArray().Select(g => g.GetString()!).Order());
    }

    private (string Cert, string Key) SelfSigned() =>
        TestCertificates.SelfSigned(dir, "self", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

    private static Task<TargetProcess> SServer((string Cert, string Key) identity, params string[] options) =>
        TargetProcess.StartAsync("openssl", port => ["s_server", "-accept", $"127.0.0.1:{port}", "-cert", identity.Cert, "-key", identity.Key, "-www", "-quiet", .. options]);

    private static Task<LabRun> Audit(TargetProcess server, string? ixit = null) =>
        LabRun.AuditAsync($"127.0.0.1:{server.Port}", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), [new TlsProbe()], ixit);

    private static JsonElement Tls(LabRun run) => run.Report.RootElement.GetProperty("tls")[0];

    private static IEnumerable<string> Signatures(LabRun run, string version) =>
        Tls(run).GetProperty("signatures").GetProperty(version).EnumerateArray().Select(s => s.GetString()!);

    private static IEnumerable<string> Suites(LabRun run, string version) =>
        Tls(run).GetProperty("versions").GetProperty(version).EnumerateArray().Select(s => s.GetString()!);

    private static async Task<Dictionary<string, string>> OpenSslToIanaNames()
    {
        var listing = await RunToEnd("openssl", "ciphers", "-V", "-stdname", "ALL:COMPLEMENTOFALL:@SECLEVEL=0");
        return listing.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(p => p.Length > 4)
            .ToDictionary(p => p[4], p => p[2]);
    }

    private static async Task<string> RunToEnd(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{program} failed: {await stderr}");
        return await stdout;
    }
}
