using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Net.Http.Json;
using Iris.Camera.Tests.Support;

namespace Iris.Camera.Tests.Media;

/// <summary>Live view and snapshots behind the permission table, over TLS (5.4.2.1, 5.1.2.1).</summary>
public sealed class LiveViewTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private static Uri Api(string path) => new(path, UriKind.Relative);

    [Fact]
    public async Task Viewer_SeesChangingLiveFrames_AndSnapshots()
    {
        await using var camera = await InProcessCamera.StartAsync(configure: SmallFrames);
        using var admin = await camera.ClaimAsync();
        using var viewer = await ViewerAsync(camera, admin);

        using var live = await viewer.Http.GetAsync(Api("/api/media/live"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.StartsWith("multipart/x-mixed-replace", live.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        using var cancel = new CancellationTokenSource(Deadline);
        var reader = new MjpegReader(await live.Content.ReadAsStreamAsync(cancel.Token));
        var first = await reader.NextFrameAsync(cancel.Token);
        var second = await reader.NextFrameAsync(cancel.Token);
        Assert.True(MjpegReader.IsJpeg(first!));
        Assert.True(MjpegReader.IsJpeg(second!));
        Assert.NotEqual(first, second);

        using var snapshot = await viewer.Http.GetAsync(Api("/api/media/snapshot"));
        Assert.Equal(HttpStatusCode.OK, snapshot.StatusCode);
        Assert.Equal("image/jpeg", snapshot.Content.Headers.ContentType!.MediaType);
        Assert.True(MjpegReader.IsJpeg(await snapshot.Content.ReadAsByteArrayAsync()));
    }

    [Fact]
    public async Task Anonymous_GetsNoFrames()
    {
        await using var camera = await InProcessCamera.StartAsync(configure: SmallFrames);

        using var live = await camera.Client.GetAsync(Api("/api/media/live"), HttpCompletionOption.ResponseHeadersRead);
        using var snapshot = await camera.Client.GetAsync(Api("/api/media/snapshot"));

        Assert.Equal(HttpStatusCode.Unauthorized, live.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, snapshot.StatusCode);
        Assert.Equal("application/problem+json", live.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task ExpiredSession_GetsNoFrames()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var camera = await InProcessCamera.StartAsync(configure: SmallFrames, time: time);
        using var admin = await camera.ClaimAsync();
        using var cancel = new CancellationTokenSource(Deadline);
        // While the session is live, its stream delivers frames and its snapshots work.
        using (var live = await WhileTimePassesAsync(time, admin.Http.GetAsync(Api("/api/media/live"), HttpCompletionOption.ResponseHeadersRead, cancel.Token)))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
            var reader = new MjpegReader(await live.Content.ReadAsStreamAsync(cancel.Token));
            Assert.True(MjpegReader.IsJpeg((await WhileTimePassesAsync(time, reader.NextFrameAsync(cancel.Token)))!));
            using var before = await WhileTimePassesAsync(time, admin.Http.GetAsync(Api("/api/media/snapshot"), cancel.Token));
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        // Capture stops once nobody watches; the clock then moves nine hours without rendering a frame for each tick.
        var hub = camera.App.Services.GetRequiredService<Iris.Camera.Media.FrameHub>();
        while (hub.IsCapturing)
        {
            await Task.Delay(20, cancel.Token);
        }

        time.Advance(TimeSpan.FromHours(9));

        using var snapshot = await admin.Http.GetAsync(Api("/api/media/snapshot"), cancel.Token);
        using var stream = await admin.Http.GetAsync(Api("/api/media/live"), HttpCompletionOption.ResponseHeadersRead, cancel.Token);

        Assert.Equal(HttpStatusCode.Unauthorized, snapshot.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, stream.StatusCode);
    }

    [Fact]
    public async Task RevokedSession_EndsItsOpenStream()
    {
        await using var camera = await InProcessCamera.StartAsync(configure: SmallFrames);
        using var admin = await camera.ClaimAsync();
        using var viewer = await ViewerAsync(camera, admin);
        using var live = await viewer.Http.GetAsync(Api("/api/media/live"), HttpCompletionOption.ResponseHeadersRead);
        using var cancel = new CancellationTokenSource(Deadline);
        var reader = new MjpegReader(await live.Content.ReadAsStreamAsync(cancel.Token));
        Assert.NotNull(await reader.NextFrameAsync(cancel.Token));

        // The administrator disables the viewer: its sessions are revoked, and the open stream must end.
        using var disable = await admin.Http.PatchAsJsonAsync(Api("/api/users/viewer1"), new { disabled = true });
        Assert.Equal(HttpStatusCode.NoContent, disable.StatusCode);

        var frames = 0;
        while (await reader.NextFrameAsync(cancel.Token) is not null)
        {
            frames++;
        }

        Assert.False(cancel.IsCancellationRequested, "the stream did not end after its session was revoked");
        Assert.InRange(frames, 0, 50);
    }

    [Fact]
    public async Task ViewersBeyondTheLimit_AreRefused()
    {
        await using var camera = await InProcessCamera.StartAsync(configure: builder =>
        {
            SmallFrames(builder);
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Iris:Media:MaxViewers"] = "1", ["Iris:Media:AdministratorReservedStreams"] = "0" });
        });
        using var admin = await camera.ClaimAsync();

        using var first = await admin.Http.GetAsync(Api("/api/media/live"), HttpCompletionOption.ResponseHeadersRead);
        using var second = await admin.Http.GetAsync(Api("/api/media/live"), HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.Contains("too-many-viewers", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>
    /// Awaits <paramref name="work"/> while the device's clock moves a frame interval at a time: on a fake clock,
    /// the test pattern's frames come only as time passes.
    /// </summary>
    private static async Task<T> WhileTimePassesAsync<T>(Microsoft.Extensions.Time.Testing.FakeTimeProvider time, Task<T> work)
    {
        while (!work.IsCompleted)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.WhenAny(work, Task.Delay(20));
        }

        return await work;
    }

    internal static void SmallFrames(Microsoft.AspNetCore.Builder.WebApplicationBuilder builder) =>
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Iris:Media:Width"] = "320",
            ["Iris:Media:Height"] = "240",
            ["Iris:Media:FramesPerSecond"] = "10",
        });

    internal const string ViewerPassword = "silver canyon thistle 08";

    internal static async Task<SignedInClient> ViewerAsync(InProcessCamera camera, SignedInClient admin, string username = "viewer1")
    {
        using (var create = await admin.Http.PostAsJsonAsync(Api("/api/users"), new { username, role = "viewer", password = "copper kettle morning 62" }))
        {
            Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        }

        using (var restricted = await camera.SignInAsync(username, "copper kettle morning 62"))
        using (var change = await restricted.Http.PostAsJsonAsync(Api("/api/auth/password"), new { currentPassword = "copper kettle morning 62", newPassword = ViewerPassword }))
        {
            Assert.Equal(HttpStatusCode.NoContent, change.StatusCode);
        }

        return await camera.SignInAsync(username, ViewerPassword);
    }
}
