using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Iris.Camera.Events;
using Iris.Camera.Identity;
using Iris.Camera.Link;
using Iris.Camera.Tests.Support;
using Iris.Camera.Updates;
using Iris.Firmware.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Protocol;

namespace Iris.Camera.Tests.Link;

/// <summary>
/// IoT-1005-1 5.8.1.1 (active alerts with the device identifier) over a real mosquitto with TLS, require_certificate
/// and a per-device ACL: the camera connects with its device certificate, says it is online (retained), and every
/// alert reaches the owner's subscriber with the serial; another camera cannot publish under this one's prefix.
/// </summary>
public sealed class LinkBrokerTests
{
    [Fact]
    public async Task AlertsFromFailedLogins_Motion_AndAnUpdateRefusal_ReachTheSubscriber_WithTheSerial()
    {
        await using var setup = await LinkedCamera.StartAsync();
        var serial = setup.Serial;
        await setup.Platform.WaitUntilAsync(p => p.Received.Any(m => m.Topic == $"iris/{serial}/state" && m.Payload == "online"), TimeSpan.FromSeconds(20), "the retained online state");

        for (var i = 0; i < 6; i++)
        {
            await setup.Camera.TrySignInAsync("admin", $"wrong password number {i}");
        }

        var alerts = setup.Camera.App.Services.GetRequiredService<AlertCenter>();
        alerts.Announce(AlertKinds.Motion, DateTimeOffset.UtcNow, 42, "Motion detected (12.0% of the watched area changed).");
        setup.Camera.App.Services.GetRequiredService<UpdateEvents>().Refused(new UpdateOutcome(UpdateCode.Rollback, "version 0.9 is older than the installed 1.0"));

        var topic = $"iris/{serial}/alerts";
        await setup.Platform.WaitUntilAsync(p =>
        {
            var kinds = p.Alerts(topic).Select(a => a.GetProperty("kind").GetString()).ToList();
            return kinds.Contains(AlertKinds.BruteForce) && kinds.Contains(AlertKinds.Motion) && kinds.Contains(AlertKinds.UpdateRefused);
        }, TimeSpan.FromSeconds(30), "the brute-force, motion and update alerts");

        var received = setup.Platform.Alerts(topic);
        Assert.All(received, a =>
        {
            Assert.Equal(serial, a.GetProperty("serial").GetString());
            Assert.Equal("Iris Camera DEV", a.GetProperty("model").GetString());
            Assert.False(string.IsNullOrEmpty(a.GetProperty("id").GetString()));
            Assert.True(a.GetProperty("at").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));
        });
        var bruteForce = received.First(a => a.GetProperty("kind").GetString() == AlertKinds.BruteForce);
        Assert.Equal("127.0.0.1", bruteForce.GetProperty("source").GetString());
        var sequence = received.Select(a => a.GetProperty("seq").GetInt64()).ToList();
        Assert.Equal(sequence.Order(), sequence);
    }

    [Fact]
    public async Task AnotherCamerasCertificate_CannotPublishUnderThisCamerasPrefix()
    {
        await using var setup = await LinkedCamera.StartAsync();
        using var otherCertificate = setup.Broker.IssueClient("DEV-OTHERCAMERA");
        await using var other = await MqttTestClient.ConnectAsync(setup.Broker, otherCertificate, "DEV-OTHERCAMERA");

        var forged = await other.Client.PublishStringAsync($"iris/{setup.Serial}/alerts", """{"kind":"forged"}""", MqttQualityOfServiceLevel.AtLeastOnce);
        var own = await other.Client.PublishStringAsync("iris/DEV-OTHERCAMERA/alerts", """{"kind":"own"}""", MqttQualityOfServiceLevel.AtLeastOnce);

        Assert.Equal(MqttClientPublishReasonCodeNotAuthorized, (int)forged.ReasonCode);
        Assert.True(own.IsSuccess, $"a camera may publish under its own prefix: {own.ReasonCode}");
        await setup.Platform.WaitUntilAsync(p => p.Received.Any(m => m.Payload.Contains("\"own\"", StringComparison.Ordinal)), TimeSpan.FromSeconds(10), "the other camera's own message");
        Assert.DoesNotContain(setup.Platform.Received, m => m.Payload.Contains("forged", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CleanStop_LeavesTheRetainedStateOffline()
    {
        var setup = await LinkedCamera.StartAsync();
        var serial = setup.Serial;
        await using (setup.Broker)
        await using (setup.Platform)
        {
            await setup.Platform.WaitUntilAsync(p => p.Received.Any(m => m.Topic == $"iris/{serial}/state" && m.Payload == "online"), TimeSpan.FromSeconds(20), "online");

            await setup.Camera.DisposeAsync();

            using var late = setup.Broker.IssueClient(MosquittoBroker.PlatformUser);
            await using var newcomer = await MqttTestClient.ConnectAsync(setup.Broker, late, "platform-late");
            await newcomer.SubscribeAsync($"iris/{serial}/state");
            await newcomer.WaitUntilAsync(p => p.Received.Any(m => m.Retained && m.Payload == "offline"), TimeSpan.FromSeconds(10), "the retained offline state");
        }
    }

    [Fact]
    public async Task LinkStatus_ShowsConnected_AndTheTestAlertArrives()
    {
        await using var setup = await LinkedCamera.StartAsync();
        using var owner = await setup.ClaimConnectedAsync();

        using var response = await owner.Http.PostAsync(new Uri("/api/link/test-alert", UriKind.Relative), null);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());

        await setup.Platform.WaitUntilAsync(p => p.Alerts($"iris/{setup.Serial}/alerts").Any(a => a.GetProperty("kind").GetString() == LinkService.TestAlertKind), TimeSpan.FromSeconds(20), "the test alert");
        // The camera marks the delivery once the broker acknowledged it, which may be just after the subscriber has it.
        JsonElement body;
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        do
        {
            using var status = await owner.Http.GetAsync(new Uri("/api/link", UriKind.Relative));
            body = JsonDocument.Parse(await status.Content.ReadAsStringAsync()).RootElement;
        }
        while (body.GetProperty("mqtt").GetProperty("lastDeliveryAt").ValueKind == JsonValueKind.Null && !cancel.IsCancellationRequested);

        Assert.Equal($"iris/{setup.Serial}", body.GetProperty("topicPrefix").GetString());
        Assert.NotEqual(JsonValueKind.Null, body.GetProperty("mqtt").GetProperty("lastDeliveryAt").ValueKind);
        Assert.Equal(0, body.GetProperty("mqtt").GetProperty("queued").GetInt32());
    }

    /// <summary>MQTT 5 reason code 0x87, "Not authorized".</summary>
    private const int MqttClientPublishReasonCodeNotAuthorized = 0x87;

    internal static async Task WaitForStateAsync(SignedInClient owner, string state, string channel = "mqtt")
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string last = "";
        while (!cancel.IsCancellationRequested)
        {
            using var response = await owner.Http.GetAsync(new Uri("/api/link", UriKind.Relative));
            last = await response.Content.ReadAsStringAsync();
            if (JsonDocument.Parse(last).RootElement.GetProperty(channel).GetProperty("state").GetString() == state)
            {
                return;
            }

            await Task.Delay(100, CancellationToken.None);
        }

        Assert.Fail($"link never reached {state}: {last}");
    }
}

/// <summary>A camera in this process linked to a fresh mosquitto, and the owner's platform subscribed to everything.</summary>
internal sealed class LinkedCamera : IAsyncDisposable
{
    private readonly X509Certificate2 _platformCertificate;
    private readonly TempDirectory _data;
    private readonly Dictionary<string, string?> _settings;

    private LinkedCamera(InProcessCamera camera, MosquittoBroker broker, MqttTestClient platform, X509Certificate2 platformCertificate, TempDirectory data, Dictionary<string, string?> settings)
    {
        Camera = camera;
        Broker = broker;
        Platform = platform;
        _platformCertificate = platformCertificate;
        _data = data;
        _settings = settings;
        Serial = camera.App.Services.GetRequiredService<DeviceIdentity>().Serial;
    }

    public InProcessCamera Camera { get; private set; }

    public MosquittoBroker Broker { get; }

    public MqttTestClient Platform { get; }

    public string Serial { get; }

    /// <summary>
    /// The broker's configuration is written first (its CA is the camera's trust anchor) and the camera started
    /// against it; the camera's development certificate exists only now and is self-signed, so it is added to the
    /// broker's client anchors before the broker starts. The camera, retrying, connects by itself.
    /// <paramref name="route"/> may point the camera elsewhere (a proxy in front of the broker).
    /// </summary>
    public static async Task<LinkedCamera> StartAsync(Func<MosquittoBroker, int>? route = null, IDictionary<string, string?>? extra = null, bool persistentPlatform = false, Action<WebApplicationBuilder>? configure = null)
    {
        var broker = MosquittoBroker.Create();
        var settings = broker.CameraSettings(route?.Invoke(broker));
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var data = new TempDirectory();
        var camera = await InProcessCamera.StartAsync(data.Path, configure: builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings);
            configure?.Invoke(builder);
        });
        broker.TrustClient(camera.Certificate);
        await broker.StartAsync();
        var certificate = broker.IssueClient(MosquittoBroker.PlatformUser);
        var platform = await MqttTestClient.ConnectAsync(broker, certificate, "platform-" + Guid.NewGuid().ToString("N")[..8], persistentPlatform);
        await platform.SubscribeAsync("iris/#");
        return new LinkedCamera(camera, broker, platform, certificate, data, settings);
    }

    /// <summary>
    /// Claims the camera as its owner and waits until the MQTT link is connected: the camera listens for commands,
    /// pairing requests and Home Assistant only from then on, so a message published earlier is never seen.
    /// </summary>
    public async Task<SignedInClient> ClaimConnectedAsync()
    {
        var owner = await Camera.ClaimAsync();
        await LinkBrokerTests.WaitForStateAsync(owner, "connected");
        return owner;
    }

    /// <summary>Stops the daemon and starts it again on the same data directory and settings.</summary>
    public async Task RestartCameraAsync(TimeProvider? time = null)
    {
        await Camera.DisposeAsync();
        Camera = await InProcessCamera.StartAsync(_data.Path, configure: builder => builder.Configuration.AddInMemoryCollection(_settings), time: time);
    }

    public async ValueTask DisposeAsync()
    {
        await Platform.DisposeAsync();
        await Camera.DisposeAsync();
        await Broker.DisposeAsync();
        _platformCertificate.Dispose();
        _data.Dispose();
    }
}
