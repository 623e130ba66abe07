using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using Iris.Camera.Telemetry;
using Iris.Camera.Tests.Support;
using Iris.Camera.Tests.Updates;
using Iris.Camera.Updates;
using Iris.Firmware.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Iris.Camera.Tests.Web;

/// <summary>
/// The daemon's one client TLS policy (Web/ClientTls.cs), through both of its users against real TLS servers:
/// a certificate from the trusted CA whose extended key usage is client authentication only is not a server's
/// and is refused; one naming server authentication, or with no extended key usage at all (RFC 5280: any
/// use), is accepted.
/// </summary>
public sealed class ClientTlsTests
{
    [Theory]
    [InlineData(TestCertificates.ClientAuthentication, UpdateCode.TransportRefused)]
    [InlineData(TestCertificates.ServerAuthentication, UpdateCode.Ok)]
    [InlineData(null, UpdateCode.Ok)]
    public async Task UpdateCheck_AcceptsOnlyACertificateThatMayServe(string? extendedKeyUsage, UpdateCode expected)
    {
        await using var repo = new UpdateTestRepository();
        await repo.StartServerAsync(extendedKeyUsage);
        using var dir = new TempDirectory();
        await repo.PublishAsync(repo.ScriptApplication("v2", "exit 0"), "0.2.0", securityVersion: 2, entry: "start.sh");
        await using var device = await SlottedCamera.StartAsync(repo, dir);

        using var check = await device.Admin.Http.PostAsync(new Uri("/api/updates/check", UriKind.Relative), null);

        var status = (await check.Content.ReadFromJsonAsync<UpdateStatusView>(UpdateRefusalTests.Json))!;
        Assert.Equal(expected, status.LastCheck!.Result);
        var events = await device.Admin.Http.GetStringAsync(new Uri("/api/security/events", UriKind.Relative));
        Assert.Equal(expected == UpdateCode.TransportRefused, events.Contains("TransportRefused", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(TestCertificates.ClientAuthentication, false)]
    [InlineData(TestCertificates.ServerAuthentication, true)]
    public async Task Telemetry_IsSentOnlyToACertificateThatMayServe(string extendedKeyUsage, bool delivered)
    {
        await using var receiver = await Receiver.StartAsync(extendedKeyUsage);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var camera = await InProcessCamera.StartAsync(time: time, configure: b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Iris:Telemetry:Endpoint"] = receiver.Address + "telemetry",
            ["Iris:Telemetry:CaCertificateFile"] = receiver.CaFile,
            ["Iris:Telemetry:Interval"] = "00:01:00",
        }));
        using var owner = await camera.ClaimAsync();
        using (var consent = await owner.Http.PutAsJsonAsync(new Uri("/api/telemetry/consent", UriKind.Relative), new { textVersion = camera.App.Services.GetRequiredService<TelemetryService>().TextVersion }))
        {
            Assert.Equal(HttpStatusCode.OK, consent.StatusCode);
        }

        var sent = await OneRoundAsync(camera.App.Services.GetRequiredService<TelemetrySender>(), time);

        Assert.Equal(delivered, sent);
        Assert.Equal(delivered ? 1 : 0, receiver.Requests);
    }

    /// <summary>Moves the clock an interval at a time until the telemetry service reports a scheduled round.</summary>
    private static async Task<bool> OneRoundAsync(TelemetrySender service, FakeTimeProvider time)
    {
        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnRound(bool sent) => done.TrySetResult(sent);
        service.RoundCompleted += OnRound;
        try
        {
            for (var i = 0; i < 600 && !done.Task.IsCompleted; i++)
            {
                time.Advance(TimeSpan.FromMinutes(1));
                await Task.WhenAny(done.Task, Task.Delay(50));
            }

            return await done.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            service.RoundCompleted -= OnRound;
        }
    }

    /// <summary>An HTTPS receiver whose certificate, from its own test CA, carries the given extended key usage; it counts requests that reach it.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly TempDirectory _dir = new();
        private WebApplication? _app;
        private int _requests;

        public int Requests => Volatile.Read(ref _requests);

        public string Address { get; private set; } = "";

        public string CaFile => _dir.Combine("ca.pem");

        public static async Task<Receiver> StartAsync(string extendedKeyUsage)
        {
            var receiver = new Receiver();
            var (ca, caKey) = TestCertificates.CreateCa("Telemetry Test CA");
            using (ca)
            using (caKey)
            using (var leaf = TestCertificates.IssueServer(ca, caKey, "127.0.0.1", extendedKeyUsage: extendedKeyUsage))
            {
                await File.WriteAllTextAsync(receiver.CaFile, ca.ExportCertificatePem());
                var certificate = X509CertificateLoader.LoadPkcs12(leaf.Export(X509ContentType.Pkcs12), null);
                var builder = WebApplication.CreateSlimBuilder();
                builder.Logging.ClearProviders();
                builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(TestCertificates.ServeWith(certificate))));
                receiver._app = builder.Build();
                receiver._app.MapPost("/telemetry", () =>
                {
                    Interlocked.Increment(ref receiver._requests);
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
