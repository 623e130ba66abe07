using System.Net;
using System.Net.Http.Json;
using Iris.Camera.Media;
using Iris.Camera.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Media;

/// <summary>The software shutter: nothing is captured or streamed while it is on, and it survives a restart.</summary>
public sealed class PrivacyModeTests
{
    private static Uri Api(string path) => new(path, UriKind.Relative);

    [Fact]
    public async Task PrivacyMode_StopsCaptureAndLiveView_AndStaysOnAfterRestart()
    {
        using var data = new TempDirectory();
        await using (var camera = await InProcessCamera.StartAsync(data.Path, LiveViewTests.SmallFrames))
        {
            using var admin = await camera.ClaimAsync();
            using (var recording = await admin.Http.PutAsJsonAsync(Api("/api/recordings/settings"), new { mode = "continuous" }))
            {
                Assert.Equal(HttpStatusCode.OK, recording.StatusCode);
            }

            using var live = await admin.Http.GetAsync(Api("/api/media/live"), HttpCompletionOption.ResponseHeadersRead);
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var reader = new MjpegReader(await live.Content.ReadAsStreamAsync(cancel.Token));
            Assert.NotNull(await reader.NextFrameAsync(cancel.Token));

            using var on = await admin.Http.PutAsJsonAsync(Api("/api/media/privacy"), new { enabled = true });
            Assert.Equal(HttpStatusCode.OK, on.StatusCode);

            while (await reader.NextFrameAsync(cancel.Token) is not null)
            {
            }

            Assert.False(cancel.IsCancellationRequested, "the open stream did not end when privacy mode came on");
            // Recording was on: capture stopping means the recorder stopped too.
            Assert.False(camera.App.Services.GetRequiredService<FrameHub>().IsCapturing);
            Assert.Equal(0, camera.App.Services.GetRequiredService<FrameHub>().ViewerCount);
            Assert.Empty(Directory.GetFiles(Path.Combine(camera.DataDirectory, "recordings"), "*.partial"));
            using var snapshot = await admin.Http.GetAsync(Api("/api/media/snapshot"));
            Assert.Equal(HttpStatusCode.Conflict, snapshot.StatusCode);
        }

        await using var restarted = await InProcessCamera.StartAsync(data.Path, LiveViewTests.SmallFrames);
        using var owner = await restarted.SignInAsync("admin", InProcessCamera.OwnerPassword);
        var state = await owner.Http.GetFromJsonAsync<PrivacyState>(Api("/api/media/privacy"));
        using var blocked = await owner.Http.GetAsync(Api("/api/media/live"), HttpCompletionOption.ResponseHeadersRead);
        Assert.True(state!.Enabled);
        Assert.Equal(HttpStatusCode.Conflict, blocked.StatusCode);

        using var off = await owner.Http.PutAsJsonAsync(Api("/api/media/privacy"), new { enabled = false });
        using var snapshotAfter = await owner.Http.GetAsync(Api("/api/media/snapshot"));
        Assert.Equal(HttpStatusCode.OK, snapshotAfter.StatusCode);
    }

    [Fact]
    public async Task Viewer_CannotChangePrivacyMode()
    {
        await using var camera = await InProcessCamera.StartAsync(configure: LiveViewTests.SmallFrames);
        using var admin = await camera.ClaimAsync();
        using var viewer = await LiveViewTests.ViewerAsync(camera, admin);

        using var attempt = await viewer.Http.PutAsJsonAsync(Api("/api/media/privacy"), new { enabled = true });

        Assert.Equal(HttpStatusCode.Forbidden, attempt.StatusCode);
    }
}
