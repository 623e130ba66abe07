using System.Net;
using System.Text;
using Iris.Camera.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Iris.Camera.Tests.Media;

/// <summary>
/// A live-view client that stops reading does not keep its viewer slot (attack finding A10): a real TLS client
/// sends the request, reads the answer's headers and never reads again, so the camera's writes fill the socket
/// and wait; after <c>LiveWriteTimeout</c> the stream ends, the slot comes back, and the log says why.
/// </summary>
public sealed class LiveViewStallTests
{
    private static readonly Uri Live = new("/api/media/live", UriKind.Relative);

    [Fact]
    public async Task AClientThatStopsReading_LosesItsStream_AndItsSlotComesBack_WithALogLine()
    {
        var log = new CapturedLog();
        await using var camera = await InProcessCamera.StartAsync(configure: builder =>
        {
            // Full-size frames (the default 1280x720 at 15 fps, tens of KB each) fill the socket's buffers in seconds.
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Iris:Media:LiveWriteTimeout"] = "00:00:02",
                ["Iris:Media:MaxStreamsPerSession"] = "1",
            });
            builder.Logging.AddProvider(log);
        });
        using var admin = await camera.ClaimAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));

        await using var stalled = await RawHttps.ConnectAsync(camera.BaseAddress, camera.Certificate, timeout.Token);
        await stalled.WriteAsync(Encoding.ASCII.GetBytes($"GET {Live} HTTP/1.1\r\nHost: localhost\r\nCookie: {admin.CookieHeader}\r\n\r\n"), timeout.Token);
        var answer = await stalled.ReadResponseAsync(isHead: false, timeout.Token, readSuccessBody: false);
        Assert.Equal(200, answer!.Status);
        // From here on the client reads nothing. While it holds the session's one slot, another stream is refused.
        using (var refused = await admin.Http.GetAsync(Live, HttpCompletionOption.ResponseHeadersRead, timeout.Token))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        }

        HttpStatusCode status;
        do
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500), timeout.Token);
            using var again = await admin.Http.GetAsync(Live, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            status = again.StatusCode;
        }
        while (status != HttpStatusCode.OK);

        Assert.Contains(log.Lines, l => l.EventId == 4420 && l.Level == LogLevel.Warning && l.Message.Contains("admin", StringComparison.Ordinal));
    }
}
