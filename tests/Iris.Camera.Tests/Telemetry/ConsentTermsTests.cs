using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Iris.Camera.Telemetry;
using Iris.Camera.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Iris.Camera.Tests.Telemetry;

/// <summary>
/// Consent is bound to the terms shown (issue 12): restarted with another recipient, other third parties, another
/// endpoint or another interval, the camera sends nothing until an administrator accepts the new text; deleting
/// telemetry data keeps the choices (without the name); every payload that left is in the history.
/// </summary>
public sealed class ConsentTermsTests
{
    [Theory]
    [InlineData("Iris:Telemetry:Recipient", "AdTech Data Brokers Inc")]
    [InlineData("Iris:Telemetry:ThirdParties", "advertising partners worldwide")]
    [InlineData("Iris:Telemetry:Endpoint", "telemetry?to=elsewhere")]
    [InlineData("Iris:Telemetry:Interval", "00:02:00")]
    public async Task ChangedTerms_StopSending_UntilGrantedAgain_AndTheHistoryShowsEverySend(string setting, string changed)
    {
        await using var receiver = await TelemetryTests.Receiver.StartAsync();
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var settings = new Dictionary<string, string?>
        {
            ["Iris:Telemetry:Endpoint"] = receiver.Address + "telemetry",
            ["Iris:Telemetry:CaCertificateFile"] = receiver.CaFile,
            ["Iris:Telemetry:Recipient"] = "Iris Labs",
            ["Iris:Telemetry:ThirdParties"] = "none",
            ["Iris:Telemetry:Interval"] = "00:01:00",
        };
        string firstVersion;
        await using (var camera = await InProcessCamera.StartAsync(dir.Path, b => b.Configuration.AddInMemoryCollection(settings), time))
        {
            using var owner = await camera.ClaimAsync();
            firstVersion = await GrantShownTextAsync(owner);
            await TelemetryTests.RoundsAsync(camera.App.Services.GetRequiredService<TelemetrySender>(), time, 1);
            Assert.Single(receiver.Bodies);
        }

        settings[setting] = setting == "Iris:Telemetry:Endpoint" ? receiver.Address + changed : changed;
        await using (var camera = await InProcessCamera.StartAsync(dir.Path, b => b.Configuration.AddInMemoryCollection(settings), time))
        {
            using var owner = await camera.SignInAsync("admin", InProcessCamera.OwnerPassword);
            var sender = camera.App.Services.GetRequiredService<TelemetrySender>();
            var status = (await owner.Http.GetFromJsonAsync<TelemetryStatus>(new Uri("/api/telemetry", UriKind.Relative), JsonSerializerOptions.Web))!;
            Assert.False(status.Consented);
            Assert.NotEqual(firstVersion, status.TextVersion);

            await TelemetryTests.RoundsAsync(sender, time, 3);
            Assert.Single(receiver.Bodies);

            await GrantShownTextAsync(owner);
            await TelemetryTests.RoundsAsync(sender, time, 1);
            Assert.Equal(2, receiver.Bodies.Count);

            // Deleting the telemetry data removes the history and the administrator's name, not the choices:
            // consent still holds and the grants are still there.
            using (var delete = await owner.Http.DeleteAsync(new Uri("/api/privacy/data/telemetry", UriKind.Relative)))
            {
                Assert.True(delete.IsSuccessStatusCode, $"delete: {(int)delete.StatusCode}");
            }

            var consent = camera.App.Services.GetRequiredService<TelemetryConsentStore>();
            Assert.Equal((TelemetryConsentStore.Granted, TelemetryConsentStore.NoAccount), (consent.Last()!.Action, consent.Last()!.Account));
            await TelemetryTests.RoundsAsync(sender, time, 1);
            Assert.Equal(3, receiver.Bodies.Count);
            var history = camera.App.Services.GetRequiredService<TelemetrySentHistory>().List();
            var sent = Assert.Single(history);
            Assert.Equal(receiver.Bodies[^1], sent.Payload);
            Assert.Equal("204", sent.Result);
        }
    }

    private static async Task<string> GrantShownTextAsync(SignedInClient owner)
    {
        var screen = (await owner.Http.GetFromJsonAsync<TelemetryStatus>(new Uri("/api/telemetry", UriKind.Relative), JsonSerializerOptions.Web))!;
        using var consent = await owner.Http.PutAsJsonAsync(new Uri("/api/telemetry/consent", UriKind.Relative), new { textVersion = screen.TextVersion });
        Assert.Equal(HttpStatusCode.OK, consent.StatusCode);
        return screen.TextVersion;
    }
}
