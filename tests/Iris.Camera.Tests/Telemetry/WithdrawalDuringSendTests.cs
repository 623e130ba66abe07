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
/// Issue 12, Deliver 5: every payload that left the device is in the history, whatever happened during the send.
/// Here consent is withdrawn while the receiver holds the request open, after the payload arrived there.
/// </summary>
public sealed class WithdrawalDuringSendTests
{
    [Fact]
    public async Task AWithdrawalDuringASend_CancelsIt_AndTheHistoryStillShowsThePayloadThatLeft()
    {
        await using var receiver = await TelemetryTests.Receiver.StartAsync();
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
        var sender = camera.App.Services.GetRequiredService<TelemetrySender>();
        var history = camera.App.Services.GetRequiredService<TelemetrySentHistory>();
        var screen = (await owner.Http.GetFromJsonAsync<TelemetryStatus>(new Uri("/api/telemetry", UriKind.Relative), JsonSerializerOptions.Web))!;
        using (var consent = await owner.Http.PutAsJsonAsync(new Uri("/api/telemetry/consent", UriKind.Relative), new { textVersion = screen.TextVersion }))
        {
            Assert.Equal(HttpStatusCode.OK, consent.StatusCode);
        }

        receiver.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var round = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        sender.RoundCompleted += delivered => round.TrySetResult(delivered);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!receiver.Arrived.Task.IsCompleted)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            await Task.WhenAny(receiver.Arrived.Task, Task.Delay(50, timeout.Token));
        }

        // The payload is at the receiver, its answer not yet given: the owner withdraws now.
        using (var withdraw = await owner.Http.DeleteAsync(new Uri("/api/telemetry/consent", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, withdraw.StatusCode);
        }

        Assert.False(await round.Task.WaitAsync(timeout.Token), "the send was not cut short by the withdrawal");
        receiver.Hold.TrySetResult();

        var sent = Assert.Single(history.List());
        Assert.Equal(Assert.Single(receiver.Bodies), sent.Payload);
        Assert.StartsWith("cancelled during the send", sent.Result, StringComparison.Ordinal);

        // Nothing more leaves after the withdrawal, and the history keeps the one that did.
        await TelemetryTests.RoundsAsync(sender, time, 2);
        Assert.Single(receiver.Bodies);
        Assert.Single(history.List());
    }
}
