using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Json;
using Iris.Camera.Media;
using Iris.Camera.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Media;

/// <summary>
/// The encoded live stream (H.264 + AAC as fragmented MP4) over the real HTTPS pipeline: what it carries (judged by
/// ffprobe, not by our own parser), and that it keeps the MJPEG live view's rules: permission, viewer caps,
/// session re-check, privacy mode, and the microphone off until an administrator turns it on.
/// </summary>
public sealed class LiveMp4Tests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(40);

    private static Uri Api(string path) => new(path, UriKind.Relative);

    [Fact]
    public async Task Viewer_GetsH264Only_UntilTheAdministratorTurnsTheMicrophoneOn_ThenH264AndAac()
    {
        await using var camera = await InProcessCamera.StartAsync(configure: LiveViewTests.SmallFrames);
        using var admin = await camera.ClaimAsync();
        using var viewer = await LiveViewTests.ViewerAsync(camera, admin);
        using var temp = new TempDirectory();
        Assert.False((await viewer.Http.GetFromJsonAsync<PrivacyState>(Api("/api/media/privacy")))!.Microphone);

        var silent = await SaveAsync(viewer.Http, Path.Combine(temp.Path, "silent.mp4"), minimumBytes: 20_000);
        var probe = await MediaTools.ProbeAsync(silent);
        Assert.Equal(0, probe.ExitCode);
        Assert.Contains("codec_name=\"h264\"", probe.Output, StringComparison.Ordinal);
        Assert.Contains("width=320", probe.Output, StringComparison.Ordinal);
        Assert.Contains("height=240", probe.Output, StringComparison.Ordinal);
        Assert.Contains("r_frame_rate=\"10/1\"", probe.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("codec_type=\"audio\"", probe.Output, StringComparison.Ordinal);

        using (var on = await admin.Http.PutAsJsonAsync(Api("/api/media/video"), new { source = "test-pattern", width = 320, height = 240, framesPerSecond = 10, microphone = true }))
        {
            Assert.Equal(HttpStatusCode.OK, on.StatusCode);
            Assert.True((await on.Content.ReadFromJsonAsync<VideoSettingsView>())!.Microphone);
        }

        Assert.True((await viewer.Http.GetFromJsonAsync<PrivacyState>(Api("/api/media/privacy")))!.Microphone);
        var sound = await SaveAsync(viewer.Http, Path.Combine(temp.Path, "sound.mp4"), minimumBytes: 40_000);
        probe = await MediaTools.ProbeAsync(sound);
        Assert.Equal(0, probe.ExitCode);
        Assert.Contains("codec_name=\"h264\"", probe.Output, StringComparison.Ordinal);
        Assert.Contains("codec_name=\"aac\"", probe.Output, StringComparison.Ordinal);
        Assert.Contains("sample_rate=\"48000\"", probe.Output, StringComparison.Ordinal);
        var decode = await MediaTools.DecodeAsync(sound);
        Assert.True(decode.ExitCode == 0 && decode.Errors.Length == 0, decode.Errors);
    }

    [Fact]
    public async Task Stream_StartsWithTheInitSegment_ThenAKeyframeFragment()
    {
        await using var camera = await InProcessCamera.StartAsync(configure: LiveViewTests.SmallFrames);
        using var admin = await camera.ClaimAsync();
        using var live = await admin.Http.GetAsync(Api("/api/media/live.mp4"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("video/mp4", live.Content.Headers.ContentType!.MediaType);
        Assert.Equal("no-store", live.Headers.CacheControl!.ToString());
        using var cancel = new CancellationTokenSource(Deadline);
        var body = await live.Content.ReadAsStreamAsync(cancel.Token);

        var types = new List<string>();
        while (types.Count < 4)
        {
            types.Add(await ReadBoxTypeAsync(body, cancel.Token));
        }

        Assert.Equal(["ftyp", "moov", "moof", "mdat"], types);
    }

    [Fact]
    public async Task Anonymous_IsRefused()
    {
        await using var camera = await InProcessCamera.StartAsync(configure: LiveViewTests.SmallFrames);

        using var live = await camera.Client.GetAsync(Api("/api/media/live.mp4"), HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.Unauthorized, live.StatusCode);
        Assert.Equal("application/problem+json", live.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task DisablingTheViewer_EndsItsOpenStream()
    {
        await using var camera = await InProcessCamera.StartAsync(configure: LiveViewTests.SmallFrames);
        using var admin = await camera.ClaimAsync();
        using var viewer = await LiveViewTests.ViewerAsync(camera, admin);
        using var live = await viewer.Http.GetAsync(Api("/api/media/live.mp4"), HttpCompletionOption.ResponseHeadersRead);
        using var cancel = new CancellationTokenSource(Deadline);
        var body = await live.Content.ReadAsStreamAsync(cancel.Token);
        Assert.Equal("ftyp", await ReadBoxTypeAsync(body, cancel.Token));

        using var disable = await admin.Http.PatchAsJsonAsync(Api("/api/users/viewer1"), new { disabled = true });
        Assert.Equal(HttpStatusCode.NoContent, disable.StatusCode);

        await DrainAsync(body, cancel.Token);
        Assert.False(cancel.IsCancellationRequested, "the stream did not end after its session was revoked");
    }

    [Fact]
    public async Task PrivacyMode_EndsTheStream_StopsTheEncoder_AndRefusesNewOnes()
    {
        await using var camera = await InProcessCamera.StartAsync(configure: LiveViewTests.SmallFrames);
        using var admin = await camera.ClaimAsync();
        using var live = await admin.Http.GetAsync(Api("/api/media/live.mp4"), HttpCompletionOption.ResponseHeadersRead);
        using var cancel = new CancellationTokenSource(Deadline);
        var body = await live.Content.ReadAsStreamAsync(cancel.Token);
        Assert.Equal("ftyp", await ReadBoxTypeAsync(body, cancel.Token));
        var encoder = camera.App.Services.GetRequiredService<H264Encoder>();
        Assert.NotEqual(0, encoder.ProcessId);

        using var on = await admin.Http.PutAsJsonAsync(Api("/api/media/privacy"), new { enabled = true });
        Assert.Equal(HttpStatusCode.OK, on.StatusCode);

        await DrainAsync(body, cancel.Token);
        Assert.False(cancel.IsCancellationRequested, "the stream did not end when privacy mode turned on");
        while (encoder.ProcessId != 0)
        {
            await Task.Delay(20, cancel.Token);
        }

        using var refused = await admin.Http.GetAsync(Api("/api/media/live.mp4"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("privacy-mode", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Viewer_SeesNoSignalWithItsReason_WhenTheSourceDeliversNothing()
    {
        await using var server = await MjpegStreamServer.StartAsync();
        await using var camera = await InProcessCamera.StartAsync(configure: VideoSettingsTests.TrustingStreams(server, ("Iris:Media:SignalTimeout", "00:00:02")));
        using var admin = await camera.ClaimAsync();
        using var viewer = await LiveViewTests.ViewerAsync(camera, admin);
        Assert.Equal("not checked yet", (await viewer.Http.GetFromJsonAsync<PrivacyState>(Api("/api/media/privacy")))!.Signal);

        using (var set = await admin.Http.PutAsJsonAsync(Api("/api/media/video"), new { source = "stream", streamUrl = server.Url("silent"), width = 320, height = 240, framesPerSecond = 10 }))
        {
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        }

        var state = await viewer.Http.GetFromJsonAsync<PrivacyState>(Api("/api/media/privacy"));
        Assert.Equal("no signal: no picture within 2 s", state!.Signal);
    }

    [Fact]
    public async Task Mp4AndMjpegViewers_ShareTheViewerCap()
    {
        await using var camera = await InProcessCamera.StartAsync(configure: builder =>
        {
            LiveViewTests.SmallFrames(builder);
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Iris:Media:MaxViewers"] = "1", ["Iris:Media:AdministratorReservedStreams"] = "0" });
        });
        using var admin = await camera.ClaimAsync();

        using var mjpeg = await admin.Http.GetAsync(Api("/api/media/live"), HttpCompletionOption.ResponseHeadersRead);
        using var mp4 = await admin.Http.GetAsync(Api("/api/media/live.mp4"), HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, mjpeg.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, mp4.StatusCode);
        Assert.Contains("too-many-viewers", await mp4.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>Writes the first <paramref name="minimumBytes"/> (or more, up to the end of a fragment's mdat) of the live stream to a file.</summary>
    internal static async Task<string> SaveAsync(HttpClient http, string path, int minimumBytes)
    {
        using var live = await http.GetAsync(Api("/api/media/live.mp4"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        using var cancel = new CancellationTokenSource(Deadline);
        var body = await live.Content.ReadAsStreamAsync(cancel.Token);
        await using var file = File.Create(path);
        var lastType = "";
        while (file.Length < minimumBytes || lastType != "mdat")
        {
            var header = new byte[8];
            await body.ReadExactlyAsync(header, cancel.Token);
            var size = BinaryPrimitives.ReadUInt32BigEndian(header);
            Assert.InRange(size, 8u, 16u << 20);
            var rest = new byte[size - 8];
            await body.ReadExactlyAsync(rest, cancel.Token);
            await file.WriteAsync(header, cancel.Token);
            await file.WriteAsync(rest, cancel.Token);
            lastType = System.Text.Encoding.ASCII.GetString(header, 4, 4);
        }

        return path;
    }

    private static async Task<string> ReadBoxTypeAsync(Stream body, CancellationToken cancellationToken)
    {
        var header = new byte[8];
        await body.ReadExactlyAsync(header, cancellationToken);
        var size = BinaryPrimitives.ReadUInt32BigEndian(header);
        Assert.InRange(size, 8u, 16u << 20);
        await body.ReadExactlyAsync(new byte[size - 8], cancellationToken);
        return System.Text.Encoding.ASCII.GetString(header, 4, 4);
    }

    private static async Task DrainAsync(Stream body, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        while (await body.ReadAsync(buffer, cancellationToken) > 0)
        {
        }
    }
}
