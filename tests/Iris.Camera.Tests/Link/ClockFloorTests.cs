using Iris.Camera.Events;
using Iris.Camera.Link;
using Iris.Camera.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Link;

/// <summary>
/// 5.6.1.1: after a power cut on a board without a real-time clock the clock starts in the past; the link checks
/// certificates against the last known time it kept, so it still reaches the broker (whose certificate is
/// "not yet valid" by the wrong clock) and alerts still arrive.
/// </summary>
public sealed class ClockFloorTests
{
    [Fact]
    public async Task ClockBehindAfterRestart_TheLinkStillVerifiesTheBroker_AndDelivers()
    {
        await using var setup = await LinkedCamera.StartAsync();
        await setup.Platform.WaitUntilAsync(p => p.Received.Any(m => m.Payload == "online"), TimeSpan.FromSeconds(20), "online");
        var floor = setup.Camera.App.Services.GetRequiredService<ClockFloor>().Floor;
        Assert.True(floor > DateTimeOffset.UtcNow.AddMinutes(-5), $"the floor must have been saved at start: {floor:O}");

        var behind = new ShiftedTime(TimeSpan.FromDays(-400));
        await setup.RestartCameraAsync(behind);
        var link = setup.Camera.App.Services.GetRequiredService<LinkService>();
        setup.Camera.App.Services.GetRequiredService<AlertCenter>().Raise("clock-test", null, null, "raised with the clock 400 days behind");

        await setup.Platform.WaitUntilAsync(p => p.Alerts($"iris/{setup.Serial}/alerts").Any(a => a.GetProperty("kind").GetString() == "clock-test"), TimeSpan.FromSeconds(30), $"the alert (link: {link.Status()})");
        Assert.True(setup.Camera.App.Services.GetRequiredService<ClockFloor>().GetUtcNow() >= floor);
    }

    /// <summary>The system clock moved by a fixed offset (timers are real).</summary>
    private sealed class ShiftedTime(TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;
    }
}
