using System.Net;
using System.Net.Http.Json;
using Iris.Camera.Events;
using Iris.Camera.Identity;
using Iris.Camera.Media;
using Iris.Camera.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Media;

public sealed class MotionDetectionTests
{
    [Theory]
    [InlineData(1280, 720, 15)]
    [InlineData(320, 240, 10)]
    public void MovingBlock_IsMotion_StillScene_IsNot(int width, int height, int fps)
    {
        var moving = Frames(new MediaOptions { Width = width, Height = height, FramesPerSecond = fps, TestPatternMoves = true }, fps * 3);
        var still = Frames(new MediaOptions { Width = width, Height = height, FramesPerSecond = fps, TestPatternMoves = false }, fps * 3);

        var movingAnalyzer = new MotionAnalyzer(60, [], fps);
        var stillAnalyzer = new MotionAnalyzer(60, [], fps);
        var movingShares = moving.Select(f => movingAnalyzer.Analyze(f.Jpeg.Span)).OfType<double>().ToList();
        var stillShares = still.Select(f => stillAnalyzer.Analyze(f.Jpeg.Span)).OfType<double>().ToList();

        Assert.NotEmpty(movingShares);
        Assert.True(movingShares.Count(movingAnalyzer.IsMotion) > movingShares.Count / 2, $"moving: {string.Join(", ", movingShares.Select(s => s.ToString("P2", System.Globalization.CultureInfo.InvariantCulture)))}");
        Assert.DoesNotContain(stillShares, stillAnalyzer.IsMotion);
    }

    [Fact]
    public void MotionOutsideTheZones_IsIgnored()
    {
        var frames = Frames(new MediaOptions { Width = 320, Height = 240, FramesPerSecond = 10 }, 30);
        // The block moves through the middle band; watch only the top strip.
        var analyzer = new MotionAnalyzer(100, [new MotionZone(0, 0, 1, 0.2)], 10);

        var shares = frames.Select(f => analyzer.Analyze(f.Jpeg.Span)).OfType<double>();

        Assert.DoesNotContain(shares, analyzer.IsMotion);
    }

    [Fact]
    public async Task EnabledDetection_RecordsAMotionEvent_AndSendsItToTheAlertChannels()
    {
        var channel = new MotionChannel();
        await using var camera = await InProcessCamera.StartAsync(configure: builder =>
        {
            LiveViewTests.SmallFrames(builder);
            builder.Services.AddSingleton<IAlertChannel>(channel);
        });
        using var admin = await camera.ClaimAsync();

        using var enable = await admin.Http.PutAsJsonAsync(new Uri("/api/media/motion", UriKind.Relative), new { enabled = true, sensitivity = 60, zones = Array.Empty<object>() });
        Assert.Equal(HttpStatusCode.OK, enable.StatusCode);

        var alert = await channel.Motion.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var events = await admin.Http.GetFromJsonAsync<List<MotionEvent>>(new Uri("/api/media/motion-events", UriKind.Relative));

        Assert.Equal(camera.App.Services.GetRequiredService<DeviceIdentity>().Serial, alert.Serial);
        Assert.Contains(events!, e => e.Id == alert.Id);
    }

    [Theory]
    [InlineData("""{"enabled":true,"sensitivity":0}""")]
    [InlineData("""{"enabled":true,"sensitivity":101}""")]
    [InlineData("""{"enabled":true,"zones":[{"x":0.9,"y":0,"width":0.5,"height":1}]}""")]
    [InlineData("""{"enabled":true,"zones":[{"x":-1,"y":0,"width":0.5,"height":1}]}""")]
    public async Task InvalidMotionSettings_AreRefused_AndStoredSettingsKept(string body)
    {
        await using var camera = await InProcessCamera.StartAsync(configure: LiveViewTests.SmallFrames);
        using var admin = await camera.ClaimAsync();

        using var response = await admin.Http.PutAsync(new Uri("/api/media/motion", UriKind.Relative), new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var stored = await admin.Http.GetFromJsonAsync<MotionSettings>(new Uri("/api/media/motion", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(stored!.Enabled);
    }

    private static List<VideoFrame> Frames(MediaOptions options, int count)
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        using var identity = new DeviceIdentity("DEV-MOTIONTEST1", "model", IdentityOrigin.Development,
            DeviceCertificate.CreateSelfSigned(key, "DEV-MOTIONTEST1", "Iris", DateTimeOffset.UnixEpoch));
        var source = new TestPatternSource(options, identity, TimeProvider.System);
        var start = new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
        return [.. Enumerable.Range(0, count).Select(i => source.RenderFrame(i, start.AddSeconds(i / (double)options.FramesPerSecond)))];
    }

    private sealed class MotionChannel : IAlertChannel
    {
        public TaskCompletionSource<SecurityAlert> Motion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task SendAsync(SecurityAlert alert, CancellationToken cancellationToken)
        {
            if (alert.Kind == "motion")
            {
                Motion.TrySetResult(alert);
            }

            return Task.CompletedTask;
        }
    }
}
