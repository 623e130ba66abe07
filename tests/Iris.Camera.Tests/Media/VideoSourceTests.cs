using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Iris.Camera.Media;
using Iris.Camera.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Media;

/// <summary>
/// The video source reaches neither files nor arbitrary hosts (issue 11, point 6), through the real pipeline:
/// the API accepts only the supported kinds, and a source that delivers no picture is reported, not "saved".
/// </summary>
public sealed class VideoSourceTests
{
    private static Uri Video => new("/api/media/video", UriKind.Relative);

    [Theory]
    [InlineData("lavfi:testsrc2,drawtext=textfile=/etc/passwd")]            // rendered a local file into the snapshot
    [InlineData("lavfi:testsrc2,metadata=mode=print:file=/tmp/iris-owned")] // created a file as the daemon's user
    [InlineData("http://192.0.2.1/stream.mjpeg")]                          // plaintext, to any host
    [InlineData("rtsp://192.0.2.1/stream")]
    [InlineData("rtsps://192.0.2.1/stream")]                               // TLS that ffmpeg cannot verify
    [InlineData("/etc/passwd")]
    [InlineData("file:///etc/passwd")]
    [InlineData("concat:/etc/passwd|/etc/hostname")]
    [InlineData("https://192.0.2.1/a b")]
    [InlineData("-i /etc/shadow")]
    [InlineData("")]
    public async Task StreamUrls_ThatReachFilesOrPlaintextHosts_AreRefused_NamingTheField(string url)
    {
        await using var server = await MjpegStreamServer.StartAsync();
        await using var camera = await InProcessCamera.StartAsync(configure: VideoSettingsTests.TrustingStreams(server));
        using var admin = await camera.ClaimAsync();

        using var response = await admin.Http.PutAsJsonAsync(Video, new { source = "stream", streamUrl = url, width = 320, height = 240, framesPerSecond = 10 });
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var current = await admin.Http.GetFromJsonAsync<VideoSettingsView>(Video, JsonSerializerOptions.Web);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.True(problem.GetProperty("errors").TryGetProperty("streamUrl", out _), problem.ToString());
        Assert.Equal("test-pattern", current!.Source);
        Assert.Equal("", current.StreamUrl);
        Assert.False(File.Exists("/tmp/iris-owned"));
    }

    [Fact]
    public async Task HttpsStream_WithoutATrustedCaConfigured_IsRefused()
    {
        await using var server = await MjpegStreamServer.StartAsync();
        await using var camera = await InProcessCamera.StartAsync(configure: LiveViewTests.SmallFrames);
        using var admin = await camera.ClaimAsync();

        using var response = await admin.Http.PutAsJsonAsync(Video, new { source = "stream", streamUrl = server.Url("live.mjpeg"), width = 320, height = 240, framesPerSecond = 10 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("StreamCaCertificateFile", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task WorkingStream_AnswersOk_AndTheManifestHookNamesItsHostOnly()
    {
        await using var server = await MjpegStreamServer.StartAsync();
        await using var camera = await InProcessCamera.StartAsync(configure: VideoSettingsTests.TrustingStreams(server));
        using var admin = await camera.ClaimAsync();
        var store = camera.App.Services.GetRequiredService<VideoSettingsStore>();
        Assert.Equal("off", store.OutgoingStreamEndpoint());

        var url = server.Url("private.mjpeg").Replace("https://", $"https://{MjpegStreamServer.User}:{MjpegStreamServer.Password}@", StringComparison.Ordinal);
        using var response = await admin.Http.PutAsJsonAsync(Video, new { source = "stream", streamUrl = url, width = 320, height = 240, framesPerSecond = 10 });
        var saved = await response.Content.ReadFromJsonAsync<VideoSettingsView>(JsonSerializerOptions.Web);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", saved!.Signal);
        Assert.Equal(server.Address.GetLeftPart(UriPartial.Authority), store.OutgoingStreamEndpoint());
    }

    [Theory]
    [InlineData("silent", null, "no signal: no picture within 2 s")]
    [InlineData("live.mjpeg", "untrusted", "no signal: no TLS connection to the stream server")]
    [InlineData("private.mjpeg", null, "no signal: the stream server refused access (401)")]
    [InlineData("missing", null, "no signal: the stream server answered 404")]
    [InlineData("concat", null, "no signal: ffmpeg: ")]
    public async Task SourceWithoutAPicture_IsReportedAsNoSignal_InThePutAnswerAndAfterwards(string path, string? trust, string expected)
    {
        await using var server = await MjpegStreamServer.StartAsync();
        await using var camera = await InProcessCamera.StartAsync(configure: builder =>
        {
            VideoSettingsTests.TrustingStreams(server, ("Iris:Media:SignalTimeout", "00:00:02"))(builder);
            if (trust == "untrusted")
            {
                builder.Configuration["Iris:Media:StreamCaCertificateFile"] = server.OtherCaFile;
            }
        });
        using var admin = await camera.ClaimAsync();

        using var response = await admin.Http.PutAsJsonAsync(Video, new { source = "stream", streamUrl = server.Url(path), width = 320, height = 240, framesPerSecond = 10 });
        var saved = await response.Content.ReadFromJsonAsync<VideoSettingsView>(JsonSerializerOptions.Web);
        var shown = await admin.Http.GetFromJsonAsync<VideoSettingsView>(Video, JsonSerializerOptions.Web);
        using var snapshot = await admin.Http.GetAsync(new Uri("/api/media/snapshot", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith(expected, saved!.Signal, StringComparison.Ordinal);
        Assert.StartsWith("no signal: ", shown!.Signal, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", saved.Signal, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, snapshot.StatusCode);
        Assert.Contains("no signal", await snapshot.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
