using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Iris.Camera.Media;
using Iris.Camera.Tests.Rtsp;
using Iris.Camera.Tests.Support;

namespace Iris.Camera.Tests.Media;

/// <summary>
/// A network-stream source's own sound, through the real pipeline: a TLS MPEG-TS stream served by the test (an
/// ffmpeg child making a 440 Hz tone), the daemon's source and encoder, then the live fMP4 and RTSPS as a viewer and
/// a recorder get them. Whether the sound is there is judged by ffmpeg's volumedetect, not by our code.
/// </summary>
public sealed partial class StreamSoundTests
{
    private static Uri Api(string path) => new(path, UriKind.Relative);

    [Fact]
    public async Task StreamWithSound_AndTheMicrophoneOn_ItsSoundIsInTheLiveMp4_AndRtspsDescribesIt()
    {
        await using var server = await MjpegStreamServer.StartAsync();
        var trusting = VideoSettingsTests.TrustingStreams(server, ("Iris:Rtsp:Listen", "127.0.0.1:0"));
        await using var camera = await InProcessCamera.StartAsync(configure: trusting);
        using var admin = await camera.ClaimAsync();
        using var temp = new TempDirectory();

        using (var saved = await admin.Http.PutAsJsonAsync(Api("/api/media/video"), new { source = "stream", streamUrl = server.Url("tone.ts"), width = 320, height = 240, framesPerSecond = 10, microphone = true }))
        {
            Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
            var view = await saved.Content.ReadFromJsonAsync<VideoSettingsView>();
            Assert.Equal(("ok", "ok", "ok"), (view!.Signal, view.Encoder, view.Sound));
        }

        var live = await LiveMp4Tests.SaveAsync(admin.Http, Path.Combine(temp.Path, "live.mp4"), minimumBytes: 100_000);
        var probe = await MediaTools.ProbeValuesAsync(live);
        Assert.Contains(probe, p => p.Value == "aac");
        Assert.InRange(await MaxVolumeAsync(live), -30.0, 0.0);

        using var on = await admin.Http.PutAsJsonAsync(Api("/api/rtsp"), new { enabled = true });
        var port = (await on.Content.ReadFromJsonAsync<Iris.Camera.Rtsp.RtspState>())!.Port!.Value;
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        await using var client = await RawRtspsClient.ConnectAsync(port, camera.Certificate, cancel.Token);
        client.Authorization = RawRtspsClient.Basic("admin", InProcessCamera.OwnerPassword);
        var describe = await client.RequestAsync("DESCRIBE", null, cancel.Token, "Accept: application/sdp");
        Assert.Equal(200, describe?.Status);
        Assert.Contains("m=audio ", describe!.Body, StringComparison.Ordinal);
        Assert.Contains("MPEG4-GENERIC/48000", describe.Body, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task StreamWithoutSound_AndTheMicrophoneOn_ThePictureGoesOn_AndTheStatusSaysThereIsNoSound()
    {
        await using var server = await MjpegStreamServer.StartAsync();
        // Two starts of the stream (with sound, then without) on a loaded test machine: more time than the default 10 s.
        await using var camera = await InProcessCamera.StartAsync(configure: VideoSettingsTests.TrustingStreams(server, ("Iris:Media:SignalTimeout", "00:00:20")));
        using var admin = await camera.ClaimAsync();
        using var temp = new TempDirectory();

        using (var saved = await admin.Http.PutAsJsonAsync(Api("/api/media/video"), new { source = "stream", streamUrl = server.Url("mute.ts"), width = 320, height = 240, framesPerSecond = 10, microphone = true }))
        {
            Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
            var view = await saved.Content.ReadFromJsonAsync<VideoSettingsView>();
            Assert.Equal(("ok", "ok"), (view!.Signal, view.Encoder));
        }

        Assert.Equal(StreamSoundStatus.NoSound, (await admin.Http.GetFromJsonAsync<VideoSettingsView>(Api("/api/media/video")))!.Sound);
        var privacy = await admin.Http.GetFromJsonAsync<PrivacyState>(Api("/api/media/privacy"));
        Assert.Equal((true, "ok", StreamSoundStatus.NoSound), (privacy!.Microphone, privacy.Signal, privacy.Sound));
        var live = await LiveMp4Tests.SaveAsync(admin.Http, Path.Combine(temp.Path, "live.mp4"), minimumBytes: 60_000);
        var decode = await MediaTools.DecodeAsync(live);
        Assert.True(decode.ExitCode == 0 && decode.Errors.Length == 0, decode.Errors);
        Assert.True(await MaxVolumeAsync(live) < -80.0, "a stream without sound is encoded as silence");
    }

    /// <summary>ffmpeg's volumedetect on the first sound track: the loudest sample in dB below full scale (-91 for digital silence).</summary>
    private static async Task<double> MaxVolumeAsync(string file)
    {
        var run = await MediaTools.RunAsync("ffmpeg", ["-v", "info", "-nostdin", "-i", file, "-map", "0:a:0", "-af", "volumedetect", "-f", "null", "-"]);
        Assert.True(run.ExitCode == 0, run.Errors);
        var match = MaxVolume().Match(run.Errors);
        Assert.True(match.Success, run.Errors);
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"max_volume: (-?[0-9.]+) dB")]
    private static partial Regex MaxVolume();
}
