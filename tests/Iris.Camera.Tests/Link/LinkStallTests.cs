using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Iris.Camera.Events;
using Iris.Camera.Link;
using Iris.Camera.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Link;

/// <summary>
/// Attack finding A9 for the alert channels (5.6.1.1): a broker or webhook receiver that accepts the connection
/// and then hangs — reads nothing, answers nothing, keeps the socket open — must not hold the link. The send times
/// out, the link reconnects with back-off (and every new connection it gets stalls too), the outbox keeps the alert,
/// and it is delivered once when the peer answers again. The stall is the fault proxy's <see cref="FaultMode.Stall"/>.
/// </summary>
public sealed class LinkStallTests
{
    private const string StallKind = "stall-test";

    [Fact]
    public async Task ABrokerThatStallsAfterAccepting_DoesNotHoldTheLink_AndTheAlertArrivesOnceItAnswers()
    {
        FaultProxy? proxy = null;
        await using var setup = await LinkedCamera.StartAsync(route: broker => (proxy = new FaultProxy(broker.Port)).Port);
        await using var _ = proxy!;
        var topic = $"iris/{setup.Serial}/alerts";
        var alerts = setup.Camera.App.Services.GetRequiredService<AlertCenter>();
        var link = setup.Camera.App.Services.GetRequiredService<LinkService>();
        await LinkOutageTests.WaitForStateAsync(link, LinkState.Connected);

        proxy!.Mode = FaultMode.Stall;
        var stalled = Stopwatch.StartNew();
        var raised = alerts.Raise(StallKind, null, null, "raised while the broker hangs").Id;

        // The publish waits for an acknowledgement that never comes: the operation timeout (3 s here) or the
        // keep-alive (2 s) ends the connection, well before a test timeout could.
        var during = await RetryingAsync(link);
        Assert.True(stalled.Elapsed < TimeSpan.FromSeconds(15), $"the stalled connection held the link for {stalled.Elapsed}");
        Assert.False(string.IsNullOrEmpty(during.Reason));
        Assert.NotNull(during.NextAttemptAt);
        Assert.Equal(1, during.Queued);

        // Each new connection is accepted and hangs too; the link gives each up in turn and tries again.
        var accepted = proxy.Accepted;
        await WaitUntilAsync(() => proxy.Accepted >= accepted + 2, TimeSpan.FromSeconds(30), "two more connection attempts while the broker hangs");
        Assert.NotEqual(LinkState.Connected, link.Status().Mqtt.State);
        Assert.Equal(1, link.Status().Mqtt.Queued);
        Assert.Empty(LinkOutageTests.UniqueOfKind(setup.Platform.Alerts(topic), StallKind));

        proxy.Mode = FaultMode.Pass;
        await setup.Platform.WaitUntilAsync(p => LinkOutageTests.UniqueOfKind(p.Alerts(topic), StallKind).Count == 1, TimeSpan.FromSeconds(40), "the alert after the broker answers");
        await LinkOutageTests.WaitForEmptyQueueAsync(link);
        Assert.Equal(raised, Assert.Single(LinkOutageTests.UniqueOfKind(setup.Platform.Alerts(topic), StallKind)).GetProperty("referenceId").GetInt64());
        Assert.Equal(LinkState.Connected, link.Status().Mqtt.State);
    }

    [Fact]
    public async Task AWebhookReceiverThatStallsAfterAccepting_DoesNotHoldTheSender_AndTheAlertArrivesOnceItAnswers()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var proxy = new FaultProxy(receiver.Address.Port);
        var settings = receiver.CameraSettings(proxy.Port);
        settings["Iris:Cloud:OperationTimeout"] = "00:00:02";
        await using var camera = await InProcessCamera.StartAsync(configure: b => b.Configuration.AddInMemoryCollection(settings));
        using var owner = await camera.ClaimAsync();
        using (var key = await owner.Http.PostAsJsonAsync(new Uri("/api/link/webhook/key", UriKind.Relative), new { password = InProcessCamera.OwnerPassword }))
        {
            Assert.True(key.IsSuccessStatusCode, await key.Content.ReadAsStringAsync());
        }

        // One delivery first, so the sender holds an open connection to the receiver when it hangs.
        await SendTestAlertAsync(owner);
        await receiver.NextAsync(TimeSpan.FromSeconds(20));
        await WaitUntilAsync(async () => (await WebhookStatusAsync(owner)).GetProperty("queued").GetInt32() == 0, TimeSpan.FromSeconds(10), "the first delivery marked");

        proxy.Mode = FaultMode.Stall;
        var stalled = Stopwatch.StartNew();
        var raised = await SendTestAlertAsync(owner);
        await LinkBrokerTests.WaitForStateAsync(owner, "retrying", "webhook");
        Assert.True(stalled.Elapsed < TimeSpan.FromSeconds(15), $"the stalled receiver held the sender for {stalled.Elapsed}");
        var during = await WebhookStatusAsync(owner);
        Assert.Equal("no answer from the receiver in time", during.GetProperty("reason").GetString());
        Assert.Equal(1, during.GetProperty("queued").GetInt32());

        // Each new connection is accepted and hangs too; the sender gives each up in turn and tries again.
        var accepted = proxy.Accepted;
        await WaitUntilAsync(() => proxy.Accepted >= accepted + 2, TimeSpan.FromSeconds(30), "two more connection attempts while the receiver hangs");
        Assert.Equal(1, (await WebhookStatusAsync(owner)).GetProperty("queued").GetInt32());
        Assert.Equal(0, receiver.Count);

        proxy.Mode = FaultMode.Pass;
        var (body, _) = await receiver.NextAsync(TimeSpan.FromSeconds(40));
        Assert.Equal(raised, JsonDocument.Parse(body).RootElement.GetProperty("referenceId").GetInt64());
        await LinkBrokerTests.WaitForStateAsync(owner, "connected", "webhook");
        Assert.Equal(0, (await WebhookStatusAsync(owner)).GetProperty("queued").GetInt32());
        Assert.Equal(0, receiver.Count);
    }

    /// <summary>The MQTT channel's status the first time it says retrying (a moment later it may be connecting again).</summary>
    private static async Task<ChannelStatus> RetryingAsync(LinkService link)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var status = link.Status().Mqtt;
            if (status.State == LinkState.Retrying)
            {
                return status;
            }

            Assert.False(cancel.IsCancellationRequested, $"the link never noticed the stall: {status}");
            await Task.Delay(20, CancellationToken.None);
        }
    }

    private static async Task<long> SendTestAlertAsync(SignedInClient owner)
    {
        using var response = await owner.Http.PostAsync(new Uri("/api/link/test-alert", UriKind.Relative), null);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("alertId").GetInt64();
    }

    private static async Task<JsonElement> WebhookStatusAsync(SignedInClient owner)
    {
        using var response = await owner.Http.GetAsync(new Uri("/api/link", UriKind.Relative));
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("webhook").Clone();
    }

    private static Task WaitUntilAsync(Func<bool> done, TimeSpan timeout, string what) => WaitUntilAsync(() => Task.FromResult(done()), timeout, what);

    private static async Task WaitUntilAsync(Func<Task<bool>> done, TimeSpan timeout, string what)
    {
        using var cancel = new CancellationTokenSource(timeout);
        while (!await done())
        {
            Assert.False(cancel.IsCancellationRequested, $"timed out waiting for {what}");
            await Task.Delay(100, CancellationToken.None);
        }
    }
}
