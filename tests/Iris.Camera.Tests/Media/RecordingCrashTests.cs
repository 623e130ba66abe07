using System.Net;
using System.Net.Http.Json;
using Iris.Camera.Media;
using Iris.Camera.Tests.Support;

namespace Iris.Camera.Tests.Media;

/// <summary>SIGKILL while recording: older segments and the index stay intact, and recording resumes (5.6.1.1).</summary>
public sealed class RecordingCrashTests
{
    private static readonly Dictionary<string, string> FastSegments = new()
    {
        ["Iris__Media__Width"] = "320",
        ["Iris__Media__Height"] = "240",
        ["Iris__Media__FramesPerSecond"] = "10",
        ["Iris__Media__SegmentLength"] = "00:00:01",
        ["Iris__Accounts__PasswordIterations"] = "1000",
    };

    [Theory]
    [InlineData("mjpeg", "multipart/x-mixed-replace")]
    [InlineData("h264", "video/mp4")]
    [InlineData(null, "video/mp4")] // the default format
    public async Task KillDuringRecording_KeepsOlderSegments_AndRecordingResumes(string? format, string played)
    {
        using var data = new TempDirectory();
        var environment = new Dictionary<string, string>(FastSegments);
        if (format is not null)
        {
            environment["Iris__Media__RecordingFormat"] = format;
        }

        List<RecordingSegment> before;
        using (var camera = await CameraProcess.StartAsync(data.Path, environment: environment))
        {
            using var admin = await SignInAsync(camera, camera.DefaultPassword!, claim: true);
            using (var on = await admin.PutAsJsonAsync(new Uri("/api/recordings/settings", UriKind.Relative), new { mode = "continuous" }))
            {
                Assert.Equal(HttpStatusCode.OK, on.StatusCode);
            }

            before = await WaitForSegmentsAsync(admin, minimum: 3, afterId: 0);
            camera.Process.Kill(); // mid-segment: one is always being written
        }

        using var restarted = await CameraProcess.StartAsync(data.Path, environment: environment);
        using var owner = await SignInAsync(restarted, Password, claim: false);
        var after = await owner.GetFromJsonAsync<List<RecordingSegment>>(new Uri("/api/recordings", UriKind.Relative));
        foreach (var segment in before)
        {
            var kept = Assert.Single(after!, s => s.Id == segment.Id);
            Assert.Equal(segment.Frames, kept.Frames);
            using var play = await owner.GetAsync(new Uri($"/api/recordings/{segment.Id}", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, play.StatusCode);
            Assert.Equal(played, play.Content.Headers.ContentType!.MediaType);
        }

        var resumed = await WaitForSegmentsAsync(owner, minimum: 1, afterId: after!.Max(s => s.Id));
        Assert.NotEmpty(resumed);
        using var newest = await owner.GetAsync(new Uri($"/api/recordings/{resumed[^1].Id}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, newest.StatusCode);
    }

    private const string Password = "violet harbour lantern 47";

    private static async Task<List<RecordingSegment>> WaitForSegmentsAsync(HttpClient client, int minimum, long afterId)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var segments = (await client.GetFromJsonAsync<List<RecordingSegment>>(new Uri("/api/recordings", UriKind.Relative), deadline.Token))!
                .Where(s => s.Id > afterId).ToList();
            if (segments.Count >= minimum)
            {
                return segments;
            }

            // Segments complete once a second; ask again shortly (bounded by the deadline above).
            await Task.Delay(TimeSpan.FromMilliseconds(200), deadline.Token);
        }
    }

    private static async Task<HttpClient> SignInAsync(CameraProcess camera, string password, bool claim)
    {
        var client = PinnedHttpClient.Create(camera.BaseAddress, camera.Certificate);
        using var nonceResponse = await client.PostAsync(new Uri("/api/auth/nonce", UriKind.Relative), null);
        var nonce = (await nonceResponse.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("nonce").GetString();
        using var login = await client.PostAsJsonAsync(new Uri("/api/auth/login", UriKind.Relative), new { username = "admin", password, nonce });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var cookies = login.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).ToList();
        client.DefaultRequestHeaders.Add("Cookie", string.Join("; ", cookies));
        client.DefaultRequestHeaders.Add("X-CSRF-Token", cookies.Single(c => c.StartsWith("__Host-iris-csrf=", StringComparison.Ordinal))["__Host-iris-csrf=".Length..]);
        if (claim)
        {
            using var change = await client.PostAsJsonAsync(new Uri("/api/auth/password", UriKind.Relative), new { currentPassword = password, newPassword = Password });
            Assert.Equal(HttpStatusCode.NoContent, change.StatusCode);
        }

        return client;
    }
}
