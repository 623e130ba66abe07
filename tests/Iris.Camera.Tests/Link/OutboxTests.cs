using Iris.Camera.Events;
using Iris.Camera.Link;
using Iris.Camera.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Link;

/// <summary>The outbox is bounded, counts what it drops, keeps order, and stays empty while the link is off.</summary>
public sealed class OutboxTests
{
    [Fact]
    public async Task FullOutbox_DropsTheOldest_AndCountsThem()
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.Combine("ca.pem"), "");
        await using var camera = await InProcessCamera.StartAsync(configure: b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            // A broker nobody runs: every alert stays in the outbox.
            ["Iris:Cloud:BrokerHost"] = "127.0.0.1",
            ["Iris:Cloud:BrokerPort"] = "9",
            ["Iris:Cloud:CaCertificateFile"] = dir.Combine("ca.pem"),
            ["Iris:Cloud:OutboxLimit"] = "10",
        }));
        var alerts = camera.App.Services.GetRequiredService<AlertCenter>();
        var outbox = camera.App.Services.GetRequiredService<AlertOutbox>();

        var raised = Enumerable.Range(0, 15).Select(i => alerts.Raise("overflow-test", null, null, $"alert {i}").Id).ToList();

        Assert.Equal(10, outbox.CountAll());
        Assert.Equal(5, outbox.Overflowed());
        Assert.Equal(raised[5..], outbox.Pending(LinkChannel.Mqtt, 100).Select(e => e.ReferenceId));
        Assert.Equal(10, outbox.Pending(LinkChannel.Mqtt, 100).Select(e => e.MessageId).Distinct().Count());
    }

    [Fact]
    public async Task LinkOff_KeepsAlertsInTheInboxOnly()
    {
        await using var camera = await InProcessCamera.StartAsync();
        var alert = camera.App.Services.GetRequiredService<AlertCenter>().Raise("off-test", null, null, "nobody to push to");

        Assert.Equal(0, camera.App.Services.GetRequiredService<AlertOutbox>().CountAll());
        Assert.Contains(camera.App.Services.GetRequiredService<AlertCenter>().Inbox(true, 10), a => a.Id == alert.Id);
    }

    [Theory]
    [InlineData(1, 0.0, 500)]
    [InlineData(1, 0.5, 750)]
    [InlineData(3, 0.0, 2000)]
    [InlineData(20, 0.0, 30_000)]
    [InlineData(20, 0.5, 45_000)]
    public void RetryDelay_DoublesUpToTheCap_WithJitterInTheUpperHalf(int failures, double jitter, int expectedMilliseconds)
    {
        var delay = RetryDelay.For(failures, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), new FixedJitter(jitter));

        Assert.Equal(expectedMilliseconds, delay.TotalMilliseconds, 0);
    }

    private sealed class FixedJitter(double value) : IJitter
    {
        public double NextUnit() => value;
    }
}
