using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Iris.Camera.Tests.Support;
using Iris.Camera.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Iris.Camera.Tests.Telemetry;

/// <summary>
/// IoT-1005-1 5.7.1.2 against a real HTTPS receiver: nothing is sent before consent, exactly the previewed payload
/// is sent after it, and nothing more after withdrawal. The consent and its withdrawal are recorded.
/// </summary>
public sealed class TelemetryTests
{
    [Fact]
    public async Task NothingBeforeConsent_ThePreviewAfter_NothingAfterWithdrawal()
    {
        await using var receiver = await Receiver.StartAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var camera = await InProcessCamera.StartAsync(time: time, configure: b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Iris:Telemetry:Endpoint"] = receiver.Address + "telemetry",
            ["Iris:Telemetry:CaCertificateFile"] = receiver.CaFile,
            ["Iris:Telemetry:Recipient"] = "Iris Labs",
            ["Iris:Telemetry:ThirdParties"] = "none",
            ["Iris:Telemetry:Interval"] = "00:01:00",
        }));
        using var owner = await camera.ClaimAsync();
        var service = camera.App.Services.GetRequiredService<TelemetryService>();
        var sender = camera.App.Services.GetRequiredService<TelemetrySender>();

        // Off by default: three intervals pass, the receiver sees nothing.
        await RoundsAsync(sender, time, 3);
        Assert.Empty(receiver.Bodies);

        var screen = (await owner.Http.GetFromJsonAsync<TelemetryStatus>(new Uri("/api/telemetry", UriKind.Relative), JsonSerializerOptions.Web))!;
        Assert.False(screen.Consented);
        Assert.Contains("Iris Labs", screen.ConsentText, StringComparison.Ordinal);
        Assert.Contains("third parties: none", screen.ConsentText, StringComparison.Ordinal);
        Assert.Contains("withdraw", screen.ConsentText, StringComparison.Ordinal);
        using (var stale = await owner.Http.PutAsJsonAsync(new Uri("/api/telemetry/consent", UriKind.Relative), new { textVersion = "0-old" }))
        {
            Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        }

        using (var consent = await owner.Http.PutAsJsonAsync(new Uri("/api/telemetry/consent", UriKind.Relative), new { textVersion = screen.TextVersion }))
        {
            Assert.Equal(HttpStatusCode.OK, consent.StatusCode);
        }

        var preview = JsonSerializer.Serialize(service.Preview() with { UptimeSeconds = 0 }, JsonSerializerOptions.Web);
        await RoundsAsync(sender, time, 1);
        var sent = Assert.Single(receiver.Bodies);
        Assert.Equal(preview, JsonSerializer.Serialize(JsonSerializer.Deserialize<TelemetryPayload>(sent, JsonSerializerOptions.Web)! with { UptimeSeconds = 0 }, JsonSerializerOptions.Web));
        var serial = camera.App.Services.GetRequiredService<Iris.Camera.Identity.DeviceIdentity>().Serial;
        Assert.DoesNotContain(serial, sent, StringComparison.Ordinal);
        Assert.DoesNotContain("admin", sent, StringComparison.Ordinal);

        using (var withdraw = await owner.Http.DeleteAsync(new Uri("/api/telemetry/consent", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, withdraw.StatusCode);
        }

        await RoundsAsync(sender, time, 3);
        Assert.Single(receiver.Bodies);
        var status = (await owner.Http.GetFromJsonAsync<TelemetryStatus>(new Uri("/api/telemetry", UriKind.Relative), JsonSerializerOptions.Web))!;
        Assert.Equal(("withdrawn", service.TextVersion, "admin"), (status.LastConsentChange!.Action, status.LastConsentChange.TextVersion, status.LastConsentChange.Account));
        var events = await owner.Http.GetStringAsync(new Uri("/api/security/events", UriKind.Relative));
        Assert.Contains("telemetry-consent-granted", events, StringComparison.Ordinal);
        Assert.Contains("telemetry-consent-withdrawn", events, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutAReceiver_ConsentIsRefused()
    {
        await using var camera = await InProcessCamera.StartAsync();
        using var owner = await camera.ClaimAsync();

        using var consent = await owner.Http.PutAsJsonAsync(new Uri("/api/telemetry/consent", UriKind.Relative), new { textVersion = camera.App.Services.GetRequiredService<TelemetryService>().TextVersion });

        Assert.Equal(HttpStatusCode.Conflict, consent.StatusCode);
    }

    [Theory]
    [InlineData("""{"textVersion":null}""")]
    [InlineData("""{"textVersion":""}""")]
    [InlineData("""{"textVersion":2026}""")]
    [InlineData("""{"textVersion":["2026-11-1"]}""")]
    [InlineData("""null""")]
    public async Task ConsentBodies_WithNullsEmptyStringsOrWrongTypes_Are400_AndRecordNoConsent(string body)
    {
        await using var receiver = await Receiver.StartAsync();
        await using var camera = await InProcessCamera.StartAsync(configure: b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Iris:Telemetry:Endpoint"] = receiver.Address + "telemetry",
            ["Iris:Telemetry:CaCertificateFile"] = receiver.CaFile,
        }));
        using var owner = await camera.ClaimAsync();

        using var response = await owner.Http.PutAsync(new Uri("/api/telemetry/consent", UriKind.Relative), new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var status = (await owner.Http.GetFromJsonAsync<TelemetryStatus>(new Uri("/api/telemetry", UriKind.Relative), JsonSerializerOptions.Web))!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.False(status.Consented);
        Assert.Null(status.LastConsentChange);
    }

    /// <summary>Moves the clock one interval at a time and waits for each scheduled round to finish.</summary>
    internal static async Task RoundsAsync(TelemetrySender sender, FakeTimeProvider time, int rounds)
    {
        for (var i = 0; i < rounds; i++)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            void OnRound(bool _) => done.TrySetResult();
            sender.RoundCompleted += OnRound;
            try
            {
                // The service may not yet be waiting on the clock; keep nudging until the round reports.
                while (!done.Task.IsCompleted)
                {
                    time.Advance(TimeSpan.FromMinutes(1));
                    await Task.WhenAny(done.Task, Task.Delay(50));
                }
            }
            finally
            {
                sender.RoundCompleted -= OnRound;
            }
        }
    }

    /// <summary>A telemetry receiver: Kestrel over HTTPS with a certificate from a test CA; it keeps every body.</summary>
    internal sealed class Receiver : IAsyncDisposable
    {
        private readonly TempDirectory _dir = new();
        private WebApplication? _app;

        public List<string> Bodies { get; } = [];

        /// <summary>When set, each request is answered only once this completes (a slow receiver); bodies are kept first.</summary>
        public TaskCompletionSource? Hold { get; set; }

        /// <summary>Completed when a body has arrived (every byte of the payload has left the camera).</summary>
        public TaskCompletionSource Arrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Address { get; private set; } = "";

        public string CaFile => _dir.Combine("ca.pem");

        public static async Task<Receiver> StartAsync()
        {
            var receiver = new Receiver();
            var (ca, caKey) = TestCertificates.CreateCa("Telemetry Test CA");
            using (ca)
            using (caKey)
            using (var leaf = TestCertificates.IssueServer(ca, caKey, "127.0.0.1"))
            {
                await File.WriteAllTextAsync(receiver.CaFile, ca.ExportCertificatePem());
                var certificate = X509CertificateLoader.LoadPkcs12(leaf.Export(X509ContentType.Pkcs12), null);
                var builder = WebApplication.CreateSlimBuilder();
                builder.Logging.ClearProviders();
                builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(new HttpsConnectionAdapterOptions { ServerCertificate = certificate })));
                receiver._app = builder.Build();
                receiver._app.MapPost("/telemetry", async (HttpRequest request) =>
                {
                    using var reader = new StreamReader(request.Body);
                    var body = await reader.ReadToEndAsync();
                    lock (receiver.Bodies)
                    {
                        receiver.Bodies.Add(body);
                    }

                    receiver.Arrived.TrySetResult();
                    if (receiver.Hold is { } hold)
                    {
                        await hold.Task;
                    }

                    return Results.NoContent();
                });
                await receiver._app.StartAsync();
                receiver.Address = receiver._app.Urls.First() + "/";
            }

            return receiver;
        }

        public async ValueTask DisposeAsync()
        {
            if (_app is not null)
            {
                await _app.DisposeAsync();
            }

            _dir.Dispose();
        }
    }
}
