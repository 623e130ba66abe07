using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Iris.Camera.Events;
using Iris.Camera.Media;
using Iris.Camera.Rtsp;
using Iris.Camera.Tests.Media;
using Iris.Camera.Tests.Support;
using Iris.Camera.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Rtsp;

/// <summary>
/// RTSPS for recorders, through real TLS and real sockets, with Debian's ffprobe as the client where a recorder
/// would use ffmpeg. Most tests use <see cref="FfmpegLiveFeed"/> (a size and rate of their choosing, independent of the pattern's encoder); one uses the daemon's own encoder.
/// ffprobe 5.1 does not verify the RTSPS certificate (it has no option to); the raw client pins it.
/// </summary>
public sealed class RtspsTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(40);

    private static Uri Api(string path) => new(path, UriKind.Relative);

    [Fact]
    public async Task Ffprobe_AsViewer_SeesH264AtTheConfiguredSizeAndRate_AndAnAudioStream()
    {
        var feed = new FfmpegLiveFeed(width: 320, height: 240, rate: 15);
        await using var camera = await StartAsync(feed);
        using var admin = await camera.ClaimAsync();
        using var viewer = await LiveViewTests.ViewerAsync(camera, admin);
        var port = await TurnOnAsync(camera, admin);

        var streams = await ProbeAsViewerAsync(port);

        var video = Assert.Single(streams, s => s.GetProperty("codec_type").GetString() == "video");
        Assert.Equal("h264", video.GetProperty("codec_name").GetString());
        Assert.Equal(320, video.GetProperty("width").GetInt32());
        Assert.Equal(240, video.GetProperty("height").GetInt32());
        Assert.Equal("15/1", video.GetProperty("avg_frame_rate").GetString());
        var audio = Assert.Single(streams, s => s.GetProperty("codec_type").GetString() == "audio");
        Assert.Equal("aac", audio.GetProperty("codec_name").GetString());
        Assert.Equal("48000", audio.GetProperty("sample_rate").GetString());
    }

    [Fact]
    public async Task Refused_WithoutCredentials_WithAWrongPassword_AndAsADisabledUser()
    {
        var feed = new FfmpegLiveFeed();
        await using var camera = await StartAsync(feed);
        using var admin = await camera.ClaimAsync();
        using (await LiveViewTests.ViewerAsync(camera, admin))
        {
        }

        var port = await TurnOnAsync(camera, admin);
        using var cancel = new CancellationTokenSource(Deadline);

        var (exit, _, error) = await RunAsync("ffprobe", "-v", "error", "-rw_timeout", "15000000", $"rtsps://127.0.0.1:{port}/live");
        Assert.NotEqual(0, exit);
        Assert.Contains("401", error, StringComparison.Ordinal);

        Assert.Equal(401, await DescribeStatusAsync(camera, port, null, cancel.Token));
        Assert.Equal(401, await DescribeStatusAsync(camera, port, RawRtspsClient.Basic("viewer1", "not the password"), cancel.Token));
        Assert.Equal(200, await DescribeStatusAsync(camera, port, RawRtspsClient.Basic("viewer1", LiveViewTests.ViewerPassword), cancel.Token));

        // A new account must first change its password, on the web: until then it may not watch.
        using (var create = await admin.Http.PostAsJsonAsync(Api("/api/users"), new { username = "viewer2", role = "viewer", password = "copper kettle morning 62" }))
        {
            Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        }

        Assert.Equal(403, await DescribeStatusAsync(camera, port, RawRtspsClient.Basic("viewer2", "copper kettle morning 62"), cancel.Token));

        using (var disable = await admin.Http.PatchAsJsonAsync(Api("/api/users/viewer1"), new { disabled = true }))
        {
            Assert.Equal(HttpStatusCode.NoContent, disable.StatusCode);
        }

        Assert.Equal(401, await DescribeStatusAsync(camera, port, RawRtspsClient.Basic("viewer1", LiveViewTests.ViewerPassword), cancel.Token));
        var events = camera.App.Services.GetRequiredService<SecurityEventLog>().Read(0, 500);
        Assert.Equal(2, events.Count(e => e.Kind == SecurityEventKinds.LoginFailed && e.Account == "viewer1"));
        Assert.Contains(events, e => e.Kind == SecurityEventKinds.LoginSucceeded && e.Account == "viewer1" && e.Source == "127.0.0.1");
        Assert.Equal(0, feed.Running);
    }

    [Fact]
    public async Task RepeatedWrongPasswords_AreThrottledLikeWebLogins_AndInTheSecurityLog()
    {
        await using var camera = await StartAsync(new FfmpegLiveFeed());
        using var admin = await camera.ClaimAsync();
        var port = await TurnOnAsync(camera, admin);
        using var cancel = new CancellationTokenSource(Deadline);

        var statuses = new List<int>();
        for (var i = 0; i < 12; i++)
        {
            statuses.Add(await DescribeStatusAsync(camera, port, RawRtspsClient.Basic("admin", $"wrong password {i}"), cancel.Token));
        }

        Assert.Equal(401, statuses[0]);
        Assert.Equal(503, statuses[^1]);
        // Locked: even the right password is refused now, over RTSPS and on the web.
        Assert.Equal(503, await DescribeStatusAsync(camera, port, RawRtspsClient.Basic("admin", InProcessCamera.OwnerPassword), cancel.Token));
        var (web, _) = await camera.TrySignInAsync("admin", InProcessCamera.OwnerPassword);
        Assert.Equal(HttpStatusCode.TooManyRequests, web.StatusCode);

        var events = camera.App.Services.GetRequiredService<SecurityEventLog>().Read(0, 500);
        Assert.Contains(events, e => e.Kind == SecurityEventKinds.LoginFailed && e.Account == "admin" && e.Source == "127.0.0.1");
        Assert.Contains(events, e => e.Kind == SecurityEventKinds.Lockout && e.Account == "admin");
    }

    [Fact]
    public async Task SignInsOverRtsps_AreMarkedRtspsInTheSecurityLog_AndWebSignInsAreNot()
    {
        await using var camera = await StartAsync(new FfmpegLiveFeed());
        using var admin = await camera.ClaimAsync();
        var port = await TurnOnAsync(camera, admin);
        using var cancel = new CancellationTokenSource(Deadline);
        var log = camera.App.Services.GetRequiredService<SecurityEventLog>();
        var before = log.Read(0, 500).Count;

        Assert.Equal(401, await DescribeStatusAsync(camera, port, RawRtspsClient.Basic("admin", "a stale recorder password"), cancel.Token));
        var (web, _) = await camera.TrySignInAsync("admin", "a mistyped web password");
        Assert.Equal(HttpStatusCode.Unauthorized, web.StatusCode);
        Assert.Equal(200, await DescribeStatusAsync(camera, port, RawRtspsClient.Basic("admin", InProcessCamera.OwnerPassword), cancel.Token));

        // An owner can tell the recorder with a stale password from a web login (attack finding A2).
        var events = log.Read(0, 500).Skip(before).ToList();
        Assert.Equal(["rtsps", null], events.Where(e => e.Kind == SecurityEventKinds.LoginFailed).Select(e => e.Detail));
        Assert.Equal("rtsps", events.Last(e => e.Kind == SecurityEventKinds.LoginSucceeded).Detail);
    }

    [Fact]
    public async Task Play_AnswersRtpInfo_WithTheSequenceAndTimestampOfEachTracksFirstPacket()
    {
        await using var camera = await StartAsync(new FfmpegLiveFeed());
        using var admin = await camera.ClaimAsync();
        using var viewer = await LiveViewTests.ViewerAsync(camera, admin);
        var port = await TurnOnAsync(camera, admin);
        using var cancel = new CancellationTokenSource(Deadline);
        await using var client = await ConnectAsViewerAsync(camera, port, cancel.Token);

        var play = await client.PlayAsync(cancel.Token);

        Assert.Equal(200, play?.Status);
        // RFC 2326 12.33: url=...;seq=N[;rtptime=T] per track, comma-separated.
        var info = play!.Header("RTP-Info")!.Split(',').Select(t => t.Split(';').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1])).ToList();
        Assert.Equal(2, info.Count);
        Assert.Equal($"{client.Url}/trackID=0", info[0]["url"]);
        Assert.Equal($"{client.Url}/trackID=1", info[1]["url"]);
        Assert.True(info[0].ContainsKey("rtptime"), "the first fragment is a keyframe: the picture's first timestamp is known");
        var firsts = new Dictionary<byte, byte[]>();
        while (firsts.Count < 2)
        {
            var packet = await client.ReadPacketAsync(cancel.Token);
            Assert.NotNull(packet);
            if (packet.Value.Channel % 2 == 0)
            {
                firsts.TryAdd(packet.Value.Channel, packet.Value.Payload);
            }
        }

        foreach (var (channel, track) in new[] { ((byte)0, info[0]), ((byte)2, info[1]) })
        {
            Assert.Equal(ushort.Parse(track["seq"], CultureInfo.InvariantCulture), BinaryPrimitives.ReadUInt16BigEndian(firsts[channel].AsSpan(2)));
            if (track.TryGetValue("rtptime", out var rtptime))
            {
                Assert.Equal(uint.Parse(rtptime, CultureInfo.InvariantCulture), BinaryPrimitives.ReadUInt32BigEndian(firsts[channel].AsSpan(4)));
            }
        }
    }

    [Theory]
    [InlineData("disable")]
    [InlineData("password")]
    [InlineData("privacy")]
    public async Task OpenStream_Ends_WhenItsUserIsDisabled_ItsPasswordChanges_OrPrivacyModeTurnsOn(string change)
    {
        await using var camera = await StartAsync(new FfmpegLiveFeed());
        using var admin = await camera.ClaimAsync();
        using var viewer = await LiveViewTests.ViewerAsync(camera, admin);
        var port = await TurnOnAsync(camera, admin);
        using var cancel = new CancellationTokenSource(Deadline);
        await using var client = await ConnectAsViewerAsync(camera, port, cancel.Token);
        var play = await client.PlayAsync(cancel.Token);
        Assert.Equal(200, play?.Status);
        // Picture and sound on their channels (0, 2), each with RTCP sender reports on the odd one.
        var channels = new HashSet<byte>();
        while (channels.Count < 4)
        {
            var packet = await client.ReadPacketAsync(cancel.Token);
            Assert.NotNull(packet);
            channels.Add(packet.Value.Channel);
        }

        Assert.Equal(new byte[] { 0, 1, 2, 3 }, channels.Order());

        using var action = change switch
        {
            "disable" => await admin.Http.PatchAsJsonAsync(Api("/api/users/viewer1"), new { disabled = true }),
            "password" => await viewer.Http.PostAsJsonAsync(Api("/api/auth/password"),
                new { currentPassword = LiveViewTests.ViewerPassword, newPassword = "amber meadow whistle 93" }),
            _ => await admin.Http.PutAsJsonAsync(Api("/api/media/privacy"), new { enabled = true }),
        };
        Assert.True(action.IsSuccessStatusCode, await action.Content.ReadAsStringAsync());

        await client.DrainUntilClosedAsync(cancel.Token);
        Assert.False(cancel.IsCancellationRequested, $"the RTSPS stream did not end after '{change}'");
    }

    [Fact]
    public async Task RtspsStreams_CountAgainstTheLiveViewCaps_SharedWithTheBrowser()
    {
        await using var camera = await InProcessCamera.StartAsync(configure: builder =>
        {
            ListenOnAnyPort(builder);
            builder.Services.AddSingleton<ILiveMediaFeed>(new FfmpegLiveFeed());
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Iris:Media:MaxStreamsPerSession"] = "1",
                ["Iris:Media:MaxStreamsPerAccount"] = "1",
            });
        });
        using var admin = await camera.ClaimAsync();
        using var viewer = await LiveViewTests.ViewerAsync(camera, admin);
        var port = await TurnOnAsync(camera, admin);
        using var cancel = new CancellationTokenSource(Deadline);
        await using var first = await ConnectAsViewerAsync(camera, port, cancel.Token);
        Assert.Equal(200, (await first.PlayAsync(cancel.Token))?.Status);

        await using var second = await ConnectAsViewerAsync(camera, port, cancel.Token);
        Assert.Equal(453, (await second.PlayAsync(cancel.Token))?.Status);
        using var browser = await viewer.Http.GetAsync(Api("/api/media/live"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.TooManyRequests, browser.StatusCode);
    }

    [Fact]
    public async Task PlaintextRtsp_OnTheRtspsPort_GetsNoRtspAnswer()
    {
        await using var camera = await StartAsync(new FfmpegLiveFeed());
        using var admin = await camera.ClaimAsync();
        var port = await TurnOnAsync(camera, admin);

        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"OPTIONS rtsp://127.0.0.1:{port}/live RTSP/1.0\r\nCSeq: 1\r\n\r\n"));
        var received = new MemoryStream();
        var buffer = new byte[4096];
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cancel.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (IOException)
        {
            // A reset is as good as a close: what matters is that no RTSP came back.
        }

        Assert.False(cancel.IsCancellationRequested, "the server kept a plaintext connection open");
        Assert.DoesNotContain("RTSP/", Encoding.ASCII.GetString(received.ToArray()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedRequests_Get400_AndTheConnectionCloses_AndUdpIsRefused()
    {
        await using var camera = await StartAsync(new FfmpegLiveFeed());
        using var admin = await camera.ClaimAsync();
        var port = await TurnOnAsync(camera, admin);
        using var cancel = new CancellationTokenSource(Deadline);
        string[] malformed =
        [
            "HELLO\r\n\r\n",
            "OPTIONS * RTSP/1.0\r\n\r\n",
            "OPTIONS * HTTP/1.1\r\nCSeq: 1\r\n\r\n",
            "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nX-Long: " + new string('a', 9000) + "\r\n\r\n",
            "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n" + string.Concat(Enumerable.Range(0, 40).Select(i => $"X-H{i}: v\r\n")) + "\r\n",
            "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nX-Bad: caf\u00e9\u0001\r\n\r\n",
            "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nCSeq: 2\r\n\r\n",
            "GET_PARAMETER * RTSP/1.0\r\nCSeq: 1\r\nContent-Length: 99999\r\n\r\n",
            "DESCRIBE rtsps://127.0.0.1/live\nX-Injected:yes RTSP/1.0\r\nCSeq: 1\r\n\r\n",
        ];
        foreach (var request in malformed)
        {
            await using var client = await RawRtspsClient.ConnectAsync(port, camera.Certificate, cancel.Token);
            await client.SendRawAsync(Encoding.Latin1.GetBytes(request), cancel.Token);
            var answer = await client.ReadAnswerAsync(cancel.Token);
            Assert.Equal(400, answer?.Status);
            Assert.DoesNotContain("Exception", answer!.Body, StringComparison.OrdinalIgnoreCase);
            Assert.Null(await client.ReadAnswerAsync(cancel.Token));
        }

        await using var udp = await RawRtspsClient.ConnectAsync(port, camera.Certificate, cancel.Token);
        udp.Authorization = RawRtspsClient.Basic("admin", InProcessCamera.OwnerPassword);
        Assert.Equal(200, (await udp.RequestAsync("DESCRIBE", null, cancel.Token))?.Status);
        var setup = await udp.RequestAsync("SETUP", udp.Url + "/trackID=0", cancel.Token, "Transport: RTP/AVP;unicast;client_port=5000-5001");
        Assert.Equal(461, setup?.Status);
        Assert.Equal(454, (await udp.RequestAsync("PLAY", null, cancel.Token, "Session: 0123456789ABCDEF"))?.Status);
    }

    [Fact]
    public async Task AConnectionThatNeverSignsIn_IsClosed_AfterThreeChallenges_OrWhenItsTimeIsUp_WhateverItSends()
    {
        await using var camera = await InProcessCamera.StartAsync(configure: builder =>
        {
            ListenOnAnyPort(builder);
            builder.Services.AddSingleton<ILiveMediaFeed>(new FfmpegLiveFeed());
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Iris:Rtsp:RequestTimeout"] = "00:00:05" });
        });
        using var admin = await camera.ClaimAsync();
        var port = await TurnOnAsync(camera, admin);
        using var cancel = new CancellationTokenSource(Deadline);

        await using var asking = await RawRtspsClient.ConnectAsync(port, camera.Certificate, cancel.Token);
        var answers = new List<int?>();
        for (var i = 0; i < 3; i++)
        {
            answers.Add((await asking.RequestAsync("OPTIONS", "*", cancel.Token))?.Status);
        }

        Assert.Equal([401, 401, 401], answers);
        Assert.Null(await asking.ReadAnswerAsync(cancel.Token));

        // Interleaved data keeps the idle timer from firing; it must not keep an unauthenticated connection open.
        await using var chatty = await RawRtspsClient.ConnectAsync(port, camera.Certificate, cancel.Token);
        var closed = chatty.DrainUntilClosedAsync(cancel.Token);
        var started = DateTimeOffset.UtcNow;
        while (!closed.IsCompleted && !cancel.IsCancellationRequested)
        {
            try
            {
                await chatty.SendRawAsync([(byte)'$', 1, 0, 8, 0x80, 0xC9, 0, 1, 0, 0, 0, 1], cancel.Token);
            }
            catch (IOException)
            {
                break;
            }

            await Task.WhenAny(closed, Task.Delay(500, cancel.Token)); // the client's pace, not a wait for a condition
        }

        await closed;
        Assert.False(cancel.IsCancellationRequested, "an unauthenticated connection sending interleaved data stayed open");
        Assert.InRange(DateTimeOffset.UtcNow - started, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Rtsps_IsOffUntilAnAdministratorTurnsItOn_AndDeclaredOnlyWhileOn()
    {
        await using var camera = await StartAsync(new FfmpegLiveFeed());
        using var admin = await camera.ClaimAsync();
        using var viewer = await LiveViewTests.ViewerAsync(camera, admin);
        var server = camera.App.Services.GetRequiredService<RtspServer>();

        Assert.False(server.IsListening);
        Assert.DoesNotContain(await ListenersAsync(camera), l => l.Name == "rtsps");
        using (var refused = await viewer.Http.PutAsJsonAsync(Api("/api/rtsp"), new { enabled = true }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        var port = await TurnOnAsync(camera, admin);
        var declared = Assert.Single(await ListenersAsync(camera), l => l.Name == "rtsps");
        Assert.EndsWith($":{port}", declared.Endpoint, StringComparison.Ordinal);
        var events = camera.App.Services.GetRequiredService<SecurityEventLog>().Read(0, 500);
        Assert.Contains(events, e => e.Kind == SecurityEventKinds.SettingsChanged && e.Detail == "RTSPS on" && e.Account == "admin");

        using (var off = await admin.Http.PutAsJsonAsync(Api("/api/rtsp"), new { enabled = false }))
        {
            Assert.Equal(HttpStatusCode.OK, off.StatusCode);
        }

        Assert.DoesNotContain(await ListenersAsync(camera), l => l.Name == "rtsps");
        using var tcp = new TcpClient();
        await Assert.ThrowsAsync<SocketException>(() => tcp.ConnectAsync("127.0.0.1", port));
    }

    [Fact]
    public async Task Rtsps_ServesTheCamerasOwnEncoder_AtTheSavedSizeAndRate_WithSoundOnceTheMicrophoneIsOn()
    {
        // No test feed: the daemon's own H.264 encoder, fed by the test pattern and its test tone.
        await using var camera = await InProcessCamera.StartAsync(configure: ListenOnAnyPort);
        using var admin = await camera.ClaimAsync();
        using (var saved = await admin.Http.PutAsJsonAsync(Api("/api/media/video"), new { source = "test-pattern", width = 320, height = 240, framesPerSecond = 10, microphone = true }))
        {
            Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        }

        using var viewer = await LiveViewTests.ViewerAsync(camera, admin);
        var port = await TurnOnAsync(camera, admin);

        var streams = await ProbeAsViewerAsync(port);

        var video = Assert.Single(streams, s => s.GetProperty("codec_type").GetString() == "video");
        Assert.Equal("h264", video.GetProperty("codec_name").GetString());
        Assert.Equal(320, video.GetProperty("width").GetInt32());
        Assert.Equal(240, video.GetProperty("height").GetInt32());
        Assert.Equal("10/1", video.GetProperty("avg_frame_rate").GetString());
        Assert.Equal("aac", Assert.Single(streams, s => s.GetProperty("codec_type").GetString() == "audio").GetProperty("codec_name").GetString());
    }

    /// <summary>ffprobe (a real RTSPS client) on the live stream as viewer1: its streams as JSON objects; fails the test when ffprobe does.</summary>
    private static async Task<List<JsonElement>> ProbeAsViewerAsync(int port)
    {
        var (exit, output, error) = await RunAsync("ffprobe", "-v", "error", "-rw_timeout", "15000000", "-show_entries",
            "stream=codec_type,codec_name,width,height,r_frame_rate,avg_frame_rate,sample_rate", "-of", "json",
            $"rtsps://viewer1:{Uri.EscapeDataString(LiveViewTests.ViewerPassword)}@127.0.0.1:{port}/live");
        Assert.True(exit == 0, $"ffprobe failed ({exit}): {error}");
        return JsonDocument.Parse(output).RootElement.GetProperty("streams").EnumerateArray().ToList();
    }

    private static void ListenOnAnyPort(WebApplicationBuilder builder) =>
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Iris:Rtsp:Listen"] = "127.0.0.1:0" });

    private static Task<InProcessCamera> StartAsync(FfmpegLiveFeed feed) =>
        InProcessCamera.StartAsync(configure: builder =>
        {
            ListenOnAnyPort(builder);
            builder.Services.AddSingleton<ILiveMediaFeed>(feed);
        });

    private static async Task<int> TurnOnAsync(InProcessCamera camera, SignedInClient admin)
    {
        using var on = await admin.Http.PutAsJsonAsync(Api("/api/rtsp"), new { enabled = true });
        Assert.Equal(HttpStatusCode.OK, on.StatusCode);
        var state = await on.Content.ReadFromJsonAsync<RtspState>();
        Assert.True(state!.Enabled && state.Listening);
        return state.Port!.Value;
    }

    private static async Task<IReadOnlyList<ServiceDeclaration>> ListenersAsync(InProcessCamera camera) =>
        (await camera.Client.GetFromJsonAsync<ServiceManifestDocument>(Api("/api/device/services")))!.Listeners;

    /// <summary>An RTSPS connection pinned to the camera's certificate that authenticates as viewer1 (a Viewer).</summary>
    private static async Task<RawRtspsClient> ConnectAsViewerAsync(InProcessCamera camera, int port, CancellationToken cancellationToken)
    {
        var client = await RawRtspsClient.ConnectAsync(port, camera.Certificate, cancellationToken);
        client.Authorization = RawRtspsClient.Basic("viewer1", LiveViewTests.ViewerPassword);
        return client;
    }

    private static async Task<int> DescribeStatusAsync(InProcessCamera camera, int port, string? authorization, CancellationToken cancellationToken)
    {
        await using var client = await RawRtspsClient.ConnectAsync(port, camera.Certificate, cancellationToken);
        client.Authorization = authorization;
        var answer = await client.RequestAsync("DESCRIBE", null, cancellationToken, "Accept: application/sdp");
        return answer?.Status ?? -1;
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(Deadline);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw;
        }

        return (process.ExitCode, await output, await error);
    }
}
