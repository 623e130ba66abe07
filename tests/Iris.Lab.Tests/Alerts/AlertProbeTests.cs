using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Iris.Lab.Alerts;
using Iris.Lab.Auth;
using Iris.Lab.Network;
using Iris.Lab.Tests.Support;
using MQTTnet;
using MQTTnet.Protocol;

namespace Iris.Lab.Tests.Alerts;

/// <summary>5.8.1.1 from outside: the lab subscribes to the alert topic the IXIT names, sends wrong passwords, and waits for an alert naming the device.</summary>
public sealed class AlertProbeTests : IDisposable
{
    private const string Serial = "CAM-LAB-0042";
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task CameraThatSendsNoAlert_FailsWithNoAlertAfterFailedLogins()
    {
        using var broker = await Mosquitto.StartOpenAsync(dir);
        using var nginx = await StartBasicAuthAsync();

        using var run = await Audit(nginx.Port, $"mqtt://127.0.0.1:{broker.Port}");

        run.AssertFinding("5.8.1.1", "No alert after failed logins");
        Assert.Contains($"After {AuthProbe.SeriesLength} failed logins nothing arrived on cameras/{Serial}/# at mqtt://127.0.0.1:{broker.Port}", run.Evidence("5.8.1.1"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AlertThatDoesNotNameTheDevice_Fails()
    {
        using var broker = await Mosquitto.StartOpenAsync(dir);
        using var nginx = await StartBasicAuthAsync();
        // The camera's alert, published before the lab subscribes and retained by the broker: it says what happened but not which device.
        var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).Build());
        await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"cameras/{Serial}/alerts").WithPayload("""{"kind":"brute-force","message":"5 failed logins"}""")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag().Build());
        await client.DisconnectAsync();
        client.Dispose();

        using var run = await Audit(nginx.Port, $"mqtt://127.0.0.1:{broker.Port}");

        run.AssertFinding("5.8.1.1", "Login alert does not name the device");
    }

    [Fact]
    public async Task UnreachableBroker_IsInconclusive_NotPassOrFail()
    {
        using var nginx = await StartBasicAuthAsync();

        using var run = await Audit(nginx.Port, $"mqtt://127.0.0.1:{TargetProcess.FreePort()}");

        Assert.Equal("inconclusive", run.Verdict("5.8.1.1"));
        Assert.Contains("Could not subscribe", run.Evidence("5.8.1.1"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoDeclaredAlertChannel_LeavesTheItemToTheReviewer()
    {
        using var nginx = await StartBasicAuthAsync();

        using var run = await LabRun.AuditAsync($"127.0.0.1:{nginx.Port}", nginx.Port.ToString(CultureInfo.InvariantCulture),
            [new AlertListenProbe(), new AlertProbe()], JsonSerializer.Serialize(new { login = new { kind = "http-basic", path = "/" } }));

        Assert.Equal("manual", run.Verdict("5.8.1.1"));
    }

    private static Task<LabRun> Audit(int port, string broker) =>
        LabRun.AuditAsync($"127.0.0.1:{port}", port.ToString(CultureInfo.InvariantCulture),
            [new ServiceProbe(), new AlertListenProbe(), new AuthProbe(), new AlertProbe()],
            JsonSerializer.Serialize(new
            {
                login = new { kind = "http-basic", path = "/" },
                deviceIdentifier = Serial,
                alerts = new[] { new { kind = "mqtt", broker, topic = $"cameras/{Serial}/#" } },
            }),
            "--alert-wait-s", "3");

    private async Task<TargetProcess> StartBasicAuthAsync()
    {
        var start = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "passwd", "-apr1", "Kx7-unique-Qm2-per-device" })
        {
            start.ArgumentList.Add(a);
        }

        using (var process = Process.Start(start)!)
        {
            var hash = (await process.StandardOutput.ReadToEndAsync()).Trim();
            await process.WaitForExitAsync();
            await File.WriteAllTextAsync(dir.File("htpasswd"), $"admin:{hash}\n");
        }

        Directory.CreateDirectory(dir.File("www"));
        await File.WriteAllTextAsync(dir.File("www/index.html"), "live");
        return await Nginx.StartAsync(dir, $"listen 127.0.0.1:PORT; location / {{ auth_basic camera; auth_basic_user_file {dir.File("htpasswd")}; root {dir.File("www")}; }}");
    }
}
