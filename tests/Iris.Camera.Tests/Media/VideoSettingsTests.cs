using System.Net;
using System.Net.Http.Json;
using Iris.Camera.Media;
using Iris.Camera.Tests.Support;
using SkiaSharp;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Media;

/// <summary>Administrators choose source, resolution and frame rate; settings persist, sealed, credentials masked.</summary>
public sealed class VideoSettingsTests
{
    private static Uri Api(string path) => new(path, UriKind.Relative);

    /// <summary>Small frames, and the CA of <paramref name="server"/> as the one stream servers must chain to.</summary>
    internal static Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder> TrustingStreams(MjpegStreamServer server, params (string Key, string Value)[] more) => builder =>
    {
        LiveViewTests.SmallFrames(builder);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Iris:Media:StreamCaCertificateFile"] = server.CaFile });
        builder.Configuration.AddInMemoryCollection(more.ToDictionary(m => m.Key, m => (string?)m.Value));
    };

    [Fact]
    public async Task SwitchingToAStreamSourceAndSize_ChangesTheFrames_AndSurvivesRestart()
    {
        using var data = new TempDirectory();
        await using var server = await MjpegStreamServer.StartAsync();
        await using (var camera = await InProcessCamera.StartAsync(data.Path, TrustingStreams(server)))
        {
            using var admin = await camera.ClaimAsync();
            using var set = await admin.Http.PutAsJsonAsync(Api("/api/media/video"),
                new { source = "stream", streamUrl = server.Url("live.mjpeg"), width = 160, height = 120, framesPerSecond = 5 });
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);

            Assert.Equal((160, 120), await SnapshotSizeAsync(admin.Http));
        }

        await using var restarted = await InProcessCamera.StartAsync(data.Path, TrustingStreams(server));
        using var owner = await restarted.SignInAsync("admin", InProcessCamera.OwnerPassword);
        var current = await owner.Http.GetFromJsonAsync<VideoSettings>(Api("/api/media/video"));
        Assert.Equal("stream", current!.Source);
        Assert.Equal((160, 120), await SnapshotSizeAsync(owner.Http));
    }

    [Theory]
    [InlineData("""{"source":"v4l2","device":"/etc/passwd","width":320,"height":240,"framesPerSecond":10}""")]
    [InlineData("""{"source":"stream","streamUrl":"-i /etc/shadow","width":320,"height":240,"framesPerSecond":10}""")]
    [InlineData("""{"source":"rtsp-server","width":320,"height":240,"framesPerSecond":10}""")]
    [InlineData("""{"source":"test-pattern","width":321,"height":240,"framesPerSecond":10}""")]
    [InlineData("""{"source":"test-pattern","width":320,"height":240,"framesPerSecond":60}""")]
    public async Task UnusableSettings_AreRefused_AndNothingChanges(string body)
    {
        await using var camera = await InProcessCamera.StartAsync(configure: LiveViewTests.SmallFrames);
        using var admin = await camera.ClaimAsync();

        using var response = await admin.Http.PutAsync(Api("/api/media/video"), new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var current = await admin.Http.GetFromJsonAsync<VideoSettings>(Api("/api/media/video"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("test-pattern", current!.Source);
        Assert.Equal(320, current.Width);
    }

    [Fact]
    public async Task StreamCredentials_AreSealedAndMasked()
    {
        await using var server = await MjpegStreamServer.StartAsync();
        await using var camera = await InProcessCamera.StartAsync(configure: TrustingStreams(server));
        using var admin = await camera.ClaimAsync();
        const string secret = "cam-pass-8f3e1d";

        using var set = await admin.Http.PutAsJsonAsync(Api("/api/media/video"),
            new { source = "stream", streamUrl = $"https://viewer:{secret}@127.0.0.1:1/stream", width = 320, height = 240, framesPerSecond = 10 });
        var shown = await admin.Http.GetFromJsonAsync<VideoSettings>(Api("/api/media/video"));

        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal("https://***@127.0.0.1:1/stream", shown!.StreamUrl);

        // Saving the form back unchanged (masked URL) keeps the real credentials.
        using var again = await admin.Http.PutAsJsonAsync(Api("/api/media/video"),
            new { source = "stream", streamUrl = shown.StreamUrl, width = 320, height = 240, framesPerSecond = 5 });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var active = camera.App.Services.GetRequiredService<VideoSettingsStore>().Active;
        Assert.Equal($"https://viewer:{secret}@127.0.0.1:1/stream", active.StreamUrl);
        foreach (var file in Directory.GetFiles(camera.DataDirectory, "*", SearchOption.AllDirectories))
        {
            Assert.True(File.ReadAllBytes(file).AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(secret)) < 0, $"{file} holds the stream password");
        }
    }

    private static async Task<(int, int)> SnapshotSizeAsync(HttpClient client)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            using var snapshot = await client.GetAsync(Api("/api/media/snapshot"), cancel.Token);
            if (snapshot.StatusCode == HttpStatusCode.OK)
            {
                var bytes = await snapshot.Content.ReadAsByteArrayAsync(cancel.Token);
                using var codec = SKCodec.Create(SKData.CreateCopy(bytes));
                return (codec.Info.Width, codec.Info.Height);
            }

            // 503 while the new source starts; the snapshot endpoint itself waits up to 5 s for a frame.
            Assert.Equal(HttpStatusCode.ServiceUnavailable, snapshot.StatusCode);
        }
    }
}
