using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Iris.Lab.Tests.Support;
using Json.Schema;
using Xunit.Abstractions;

namespace Iris.Lab.Tests.Subjects;

/// <summary>The Iris camera is the lab's first subject: started as an owner starts it, audited with its own IXIT.</summary>
public sealed class IrisCameraAuditTests(ITestOutputHelper output)
{
    // Items the lab judges from the network today; each must pass on the Iris camera.
    private static readonly string[] RemotelyTested = ["5.1.1.3", "5.1.2.2", "5.1.3.1", "5.2.2.1", "5.4.2.1", "5.4.2.2", "5.5.2.1"];

    private static readonly string[] PassOrManual = ["pass", "manual"];

    private static readonly string[] AuditPhases = ["services/tcp-scan", "services/identify", "udp", "replay", "auth/credentials", "auth/throttle-series", "service-login", "alert", "web/surface", "web/fuzz"];

    private static readonly string[] TalksToTheCamera = ["tcp-scan", "identify", "replay", "credentials", "fuzz", "protocols", "suites", "signature-schemes"];

    private static readonly string[] TlsPhases = ["protocols", "suites", "groups", "certificate", "signature-schemes"];

    [Fact]
    public async Task IrisCamera_ServesASchemaValidIxit_AndPassesEveryItemTheLabTestsRemotely()
    {
        using var data = new TempDirectory();
        // Its own loopback address, so the scan around its port meets no other test's listeners.
        var port = TargetProcess.FreePort();
        using var camera = await IrisCamera.StartAsync($"127.0.0.93:{port}", data.File("camera"));
        var ixit = await camera.GetAsync("/api/device/ixit");
        using (var document = JsonDocument.Parse(ixit))
        {
            var schema = JsonSchema.FromFile(Path.Combine(AppContext.BaseDirectory, "ixit.schema.json"));
            var result = schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
            Assert.True(result.IsValid, string.Join("\n", (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
                .Select(d => $"{d.InstanceLocation}: {string.Join("; ", d.Errors!.Values)}")));
        }

        var ports = string.Create(CultureInfo.InvariantCulture, $"{Math.Max(1, port - 50)}-{Math.Min(65535, port + 50)}");

        // The lab's account is the owner's first-start one: the camera writes its default password where the owner
        // finds it when no terminal is watching (<data-dir>/default-password).
        var account = data.File("account");
        await File.WriteAllTextAsync(account, "admin:" + (await File.ReadAllTextAsync(Path.Combine(camera.DataDirectory, "default-password"))).Trim());

        using var run = await LabRun.AuditAsync($"127.0.0.93:{port}", ports, Probes.Default(), ixit, "--account", account);

        foreach (var item in RemotelyTested)
        {
            Assert.True(run.Verdict(item) == "pass", $"{item}: {run.Verdict(item)}: {run.Evidence(item)}");
        }

        Assert.All(run.Report.RootElement.GetProperty("items").EnumerateArray(),
            i => Assert.Contains(i.GetProperty("verdict").GetString(), PassOrManual));
        Assert.Empty(run.Findings);
        Assert.Equal(0, run.ExitCode);

        // Where the audit's time went, phase by phase (the benchmark's evidence), all inside the audit's wall time.
        var timings = PhaseTimings.Read(run.Report);
        output.WriteLine(string.Join("\n", timings.Phases.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Phase,-36} +{p.StartMs,8:0.0} {p.Ms,8:0.0} ms"))));
        timings.AssertPlausible();
        foreach (var phase in AuditPhases.Concat(TlsPhases.Select(p => string.Create(CultureInfo.InvariantCulture, $"tls/{port}/{p}"))))
        {
            // A phase may have nothing left to do (the series is decided by the last default's 429); those that talk to the camera take time.
            var (_, _, ms) = timings.Single(phase);
            Assert.True(ms > 0 || !TalksToTheCamera.Contains(phase.Split('/')[^1]), $"{phase} took no time");
        }
    }

    [Fact]
    public async Task IrisCamera_WithItsPlatformLink_AlertsTheOwnersBrokerOnFailedLogins_NamingItsSerial()
    {
        using var data = new TempDirectory();
        using var brokerFiles = new TempDirectory();
        Mosquitto.WriteTlsCertificates(brokerFiles);
        var brokerPort = TargetProcess.FreePort();
        var port = TargetProcess.FreePort();
        // As an owner links the camera: its broker, the CA it trusts for it, short retries so the test runs in seconds.
        using var camera = await IrisCamera.StartAsync($"127.0.0.94:{port}", data.File("camera"), new Dictionary<string, string>
        {
            ["Cloud:BrokerHost"] = "127.0.0.1",
            ["Cloud:BrokerPort"] = brokerPort.ToString(CultureInfo.InvariantCulture),
            ["Cloud:CaCertificateFile"] = brokerFiles.File("ca.pem"),
            ["Cloud:MinimumRetryDelay"] = "00:00:00.200",
            ["Cloud:MaximumRetryDelay"] = "00:00:01",
        });
        using var deviceCertificate = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Path.Combine(camera.DataDirectory, "identity", "device-cert.pem")));
        using var broker = await Mosquitto.StartTlsAsync(brokerFiles, deviceCertificate, brokerPort);
        var ixit = await camera.GetAsync("/api/device/ixit");
        using (var document = JsonDocument.Parse(ixit))
        {
            var channel = Assert.Single(document.RootElement.GetProperty("alerts").EnumerateArray());
            Assert.Equal($"mqtts://127.0.0.1:{brokerPort}", channel.GetProperty("broker").GetString());
            Assert.Equal(deviceCertificate.GetNameInfo(X509NameType.SimpleName, false), document.RootElement.GetProperty("deviceIdentifier").GetString());
        }

        using var run = await LabRun.AuditAsync($"127.0.0.94:{port}", port.ToString(CultureInfo.InvariantCulture),
            [new Iris.Lab.Network.ServiceProbe(), new Iris.Lab.Tls.TlsProbe(), new Iris.Lab.Alerts.AlertListenProbe(), new Iris.Lab.Auth.AuthProbe(), new Iris.Lab.Alerts.AlertProbe()], ixit,
            "--alert-cert", brokerFiles.File("platform.pem"), "--alert-ca", brokerFiles.File("ca.pem"), "--alert-wait-s", "30");

        Assert.True(run.Verdict("5.8.1.1") == "pass", $"{run.Verdict("5.8.1.1")}: {run.Evidence("5.8.1.1")}\nbroker: {broker.Output}");
        Assert.Contains("\"serial\"", run.Evidence("5.8.1.1"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task IrisCamera_WithAWebhook_PostsALoginAlertNamingItsSerial_SignedWithItsKey_ToTheLabsReceiver()
    {
        using var data = new TempDirectory();
        using var files = new TempDirectory();
        Mosquitto.WriteTlsCertificates(files);
        // The lab's receiver presents the "broker" certificate (127.0.0.1, from the CA the camera is told to trust).
        var receiverPem = files.File("receiver.pem");
        await File.WriteAllTextAsync(receiverPem, await File.ReadAllTextAsync(files.File("broker.pem")) + "\n" + await File.ReadAllTextAsync(files.File("broker.key")));
        var hookPort = TargetProcess.FreePort();
        var port = TargetProcess.FreePort();
        using var camera = await IrisCamera.StartAsync($"127.0.0.95:{port}", data.File("camera"), new Dictionary<string, string>
        {
            ["Cloud:WebhookUrl"] = $"https://127.0.0.1:{hookPort}/iris-alerts",
            ["Cloud:CaCertificateFile"] = files.File("ca.pem"),
            ["Cloud:MinimumRetryDelay"] = "00:00:00.200",
            ["Cloud:MaximumRetryDelay"] = "00:00:01",
        });
        // The owner makes the signing key on the settings page and gives it to the lab, which puts it in the IXIT.
        var key = await RenewWebhookKeyAsync(camera);
        var ixit = JsonNode.Parse(await camera.GetAsync("/api/device/ixit"))!.AsObject();
        var channel = Assert.Single(ixit["alerts"]!.AsArray())!.AsObject();
        Assert.Equal($"https://127.0.0.1:{hookPort}/iris-alerts", channel["url"]!.GetValue<string>());
        channel["hmacKey"] = key;
        var ixitText = ixit.ToJsonString();

        using var signed = await LabRun.AuditAsync($"127.0.0.95:{port}", port.ToString(CultureInfo.InvariantCulture),
            [new Iris.Lab.Network.ServiceProbe(), new Iris.Lab.Tls.TlsProbe(), new Iris.Lab.Alerts.AlertListenProbe(), new Iris.Lab.Auth.AuthProbe(), new Iris.Lab.Alerts.AlertProbe()], ixitText,
            "--alert-cert", receiverPem, "--alert-wait-s", "30");

        Assert.True(signed.Verdict("5.8.1.1") == "pass", $"{signed.Verdict("5.8.1.1")}: {signed.Evidence("5.8.1.1")}\ncamera: {camera.Output}");
        Assert.Contains("with a valid HMAC-SHA-256 signature", signed.Evidence("5.8.1.1"), StringComparison.Ordinal);
        Assert.Contains(ixit["deviceIdentifier"]!.GetValue<string>(), signed.Evidence("5.8.1.1"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task IrisCamera_WithRtspsOn_RefusesEveryDefaultCredentialInsideTls()
    {
        using var data = new TempDirectory();
        var port = TargetProcess.FreePort();
        var rtspsPort = TargetProcess.FreePort();
        using var camera = await IrisCamera.StartAsync($"127.0.0.96:{port}", data.File("camera"), new Dictionary<string, string>
        {
            ["Rtsp:Listen"] = $"127.0.0.96:{rtspsPort}",
        });
        using (var owner = await Owner.SignInAsync(camera))
        {
            await owner.SendAsync(HttpMethod.Put, "/api/rtsp", new { enabled = true });
        }

        using var run = await LabRun.AuditAsync($"127.0.0.96:{port}", string.Create(CultureInfo.InvariantCulture, $"{port},{rtspsPort}"),
            [new Iris.Lab.Network.ServiceProbe(), new Iris.Lab.Tls.TlsProbe(), new Iris.Lab.Auth.ServiceLoginProbe()], await camera.GetAsync("/api/device/ixit"));

        Assert.True(run.Verdict("5.1.3.1") == "pass", $"{run.Verdict("5.1.3.1")}: {run.Evidence("5.1.3.1")}");
        // The camera locks the account after a few wrong passwords (RTSPS sign-ins share the web login's throttle).
        Assert.Matches(string.Create(CultureInfo.InvariantCulture, $@"127\.0\.0\.96:{rtspsPort} \(rtsps\): the [1-6] most common default credentials were refused"), run.Evidence("5.1.3.1"));
        Assert.DoesNotContain(string.Create(CultureInfo.InvariantCulture, $":{port} (rtsps)"), run.Evidence("5.1.3.1"), StringComparison.Ordinal);
    }

    /// <summary>Signs in as the owner (changing the default password first, as the camera demands) and makes a webhook key.</summary>
    private static async Task<string> RenewWebhookKeyAsync(IrisCamera camera)
    {
        using var owner = await Owner.SignInAsync(camera);
        // A new webhook key needs the password typed again (whoever holds the key can forge alerts).
        var answer = await owner.SendAsync(HttpMethod.Post, "/api/link/webhook/key", new { password = owner.Password });
        return JsonDocument.Parse(answer).RootElement.GetProperty("key").GetString()!;
    }

    /// <summary>The owner's signed-in session on a freshly started camera: the default password is changed first, as the camera demands.</summary>
    private sealed class Owner : IDisposable
    {
        private readonly CookieContainer cookies = new();
        private readonly HttpClientHandler handler;
        private readonly HttpClient http;

        /// <summary>The password the owner chose, for steps that ask for it again.</summary>
        public string Password { get; private set; } = "";

        private Owner(IrisCamera camera, X509Certificate2 expected)
        {
            handler = new HttpClientHandler
            {
                CookieContainer = cookies,
                ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate is not null && certificate.RawData.AsSpan().SequenceEqual(expected.RawData),
            };
            http = new HttpClient(handler) { BaseAddress = camera.BaseAddress };
        }

        public static async Task<Owner> SignInAsync(IrisCamera camera)
        {
            var expected = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Path.Combine(camera.DataDirectory, "identity", "device-cert.pem")));
            var owner = new Owner(camera, expected);
            var initial = (await File.ReadAllTextAsync(Path.Combine(camera.DataDirectory, "default-password"))).Trim();
            var chosen = "Lab owner " + Guid.NewGuid().ToString("N");
            await owner.LoginAsync(initial);
            await owner.SendAsync(HttpMethod.Post, "/api/auth/password", new { currentPassword = initial, newPassword = chosen });
            await owner.LoginAsync(chosen);
            owner.Password = chosen;
            return owner;
        }

        public async Task<string> SendAsync(HttpMethod method, string path, object? body)
        {
            using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = body is null ? null : JsonContent.Create(body) };
            request.Headers.Add("X-CSRF-Token", cookies.GetAllCookies().Single(c => c.Name == "__Host-iris-csrf").Value);
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
            return text;
        }

        public void Dispose()
        {
            http.Dispose();
            handler.Dispose();
        }

        private async Task LoginAsync(string password)
        {
            using var nonce = await http.PostAsync(new Uri("/api/auth/nonce", UriKind.Relative), null);
            var value = JsonDocument.Parse(await nonce.Content.ReadAsStringAsync()).RootElement.GetProperty("nonce").GetString();
            using var login = await http.PostAsJsonAsync(new Uri("/api/auth/login", UriKind.Relative), new { username = "admin", password, nonce = value });
            Assert.True(login.IsSuccessStatusCode, await login.Content.ReadAsStringAsync());
        }
    }
}
