using System.Net;
using System.Text;
using Iris.Camera.Tests.Support;
using Iris.Camera.Web;
using Microsoft.Extensions.Logging;

namespace Iris.Camera.Tests.Web;

/// <summary>One in-process daemon, with its log captured, for the tests that only send requests to it.</summary>
public sealed class LoggedCameraFixture : IAsyncLifetime
{
    public CapturedLog Log { get; } = new();

    public InProcessCamera Camera { get; private set; } = null!;

    public async Task InitializeAsync() => Camera = await InProcessCamera.StartAsync(configure: b => b.Logging.AddProvider(Log));

    public async Task DisposeAsync() => await Camera.DisposeAsync();
}

/// <summary>
/// Issue 11, point 10: every error is problem details with the security headers, whoever writes it: the pipeline,
/// routing (a wrong method is 405, not 403), and Kestrel itself for requests it cannot parse; a HEAD answer ends
/// cleanly on HTTP/2.
/// </summary>
public sealed class ErrorAnswerTests(LoggedCameraFixture fixture) : IClassFixture<LoggedCameraFixture>
{
    public static TheoryData<string, string, int, string> Unparsable => new()
    {
        { "request line too long", "GET /" + new string('a', 9000) + " HTTP/1.1\r\nHost: h\r\n\r\n", 414, "request-target-too-long" },
        { "header too large", "GET /api/device HTTP/1.1\r\nHost: h\r\nX-Big: " + new string('b', 20 * 1024) + "\r\n\r\n", 431, "headers-too-large" },
        { "too many headers", "GET /api/device HTTP/1.1\r\nHost: h\r\n" + string.Concat(Enumerable.Range(0, 80).Select(i => $"X-{i}: 1\r\n")) + "\r\n", 431, "headers-too-large" },
        { "unsupported HTTP version", "GET /api/device HTTP/1.2\r\nHost: h\r\n\r\n", 400, "http-version-not-supported" },
        { "asterisk-form target", "GET * HTTP/1.1\r\nHost: h\r\n\r\n", 400, "bad-request" },
        { "NUL in the path", "GET /api/%00 HTTP/1.1\r\nHost: h\r\n\r\n", 400, "bad-request" },
        { "duplicated Host", "GET /api/device HTTP/1.1\r\nHost: h\r\nHost: i\r\n\r\n", 400, "bad-request" },
        { "header line without a colon", "GET /api/device HTTP/1.1\r\nHost: h\r\nnot a header\r\n\r\n", 400, "bad-request" },
        { "garbage request line", "\u0001\u0002\u0003 nonsense\r\n\r\n", 400, "bad-request" },
    };

    [Theory]
    [MemberData(nameof(Unparsable))]
    public async Task RequestKestrelCannotParse_GetsProblemDetailsAndSecurityHeaders_AndTheConnectionCloses(string description, string request, int status, string type)
    {
        var camera = fixture.Camera;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var connection = await RawHttps.ConnectAsync(camera.BaseAddress, camera.Certificate, timeout.Token);

        await connection.WriteAsync(Encoding.Latin1.GetBytes(request), timeout.Token);
        var response = await connection.ReadResponseAsync(isHead: false, timeout.Token);

        Assert.True(response is not null, description);
        ErrorBoundaryTests.AssertProblem(response, (HttpStatusCode)status, type);
        Assert.Equal("close", response.Header("Connection"));
        Assert.True(await connection.IsClosedByServerAsync(timeout.Token), "the device must close the connection after refusing it");
        Assert.Contains(fixture.Log.Lines, l => l.Category == typeof(ClientFaultLog).FullName && l.Message.Contains(type, StringComparison.Ordinal));
        Assert.DoesNotContain(fixture.Log.Lines, l => l.Exception is not null || l.Level >= LogLevel.Error);
        await ErrorBoundaryTests.AssertHealthyAsync(camera);
    }

    [Fact]
    public async Task GarbageAfterAGoodRequest_GetsTheGoodAnswer_ThenProblemDetails()
    {
        var camera = fixture.Camera;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var connection = await RawHttps.ConnectAsync(camera.BaseAddress, camera.Certificate, timeout.Token);

        await connection.WriteAsync(Encoding.ASCII.GetBytes("GET /api/device HTTP/1.1\r\nHost: h\r\n\r\nGARBAGE\r\n\r\n"), timeout.Token);

        Assert.Equal(200, (await connection.ReadResponseAsync(isHead: false, timeout.Token))!.Status);
        ErrorBoundaryTests.AssertProblem((await connection.ReadResponseAsync(isHead: false, timeout.Token))!, HttpStatusCode.BadRequest, "bad-request");
    }

    [Theory]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task WrongMethod_Is405ProblemDetails_WithAllow(string version)
    {
        var camera = fixture.Camera;
        using var request = new HttpRequestMessage(HttpMethod.Delete, new Uri("/api/device", UriKind.Relative))
        {
            Version = Version.Parse(version),
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        using var response = await camera.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(Version.Parse(version), response.Version);
        Assert.Equal(["GET"], response.Content.Headers.Allow);
        Assert.Equal(Problems.MediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("urn:iris:problem:method-not-allowed", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(response.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task WrongMethod_OnAPermissionEndpoint_Is405ForASignedInAdministrator()
    {
        await using var camera = await InProcessCamera.StartAsync();
        using var admin = await camera.ClaimAsync();

        using var response = await admin.Http.PutAsync(new Uri("/api/security/events", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(Problems.MediaType, response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/api/no-such-thing", HttpStatusCode.NotFound)]
    [InlineData("/api/device", HttpStatusCode.MethodNotAllowed)] // GET only: HEAD is a wrong method here
    [InlineData("/api/device?unknown=1", HttpStatusCode.MethodNotAllowed)]
    public async Task HeadOnAnError_OverHttp2_EndsWithTheHeaders_NoDataFrame_NoReset(string path, HttpStatusCode expected)
    {
        var camera = fixture.Camera;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var frames = await RawHttp2.RequestAsync(camera.BaseAddress, camera.Certificate, "HEAD", path, timeout.Token);

        var stream = frames.Where(f => f.Stream == 1).ToList();
        var headers = Assert.Single(stream);
        Assert.True(headers.Type == Http2Frame.Headers && (headers.Flags & Http2Frame.EndStream) != 0, string.Join("; ", frames));
        Assert.DoesNotContain(frames, f => f.Type is Http2Frame.RstStream or Http2Frame.GoAway);

        using var request = new HttpRequestMessage(HttpMethod.Head, new Uri(path, UriKind.Relative)) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var response = await camera.Client.SendAsync(request);
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(Problems.MediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task ErrorOverHttp2_StillHasItsBody()
    {
        var camera = fixture.Camera;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var frames = await RawHttp2.RequestAsync(camera.BaseAddress, camera.Certificate, "GET", "/api/no-such-thing", timeout.Token);

        Assert.Contains(frames, f => f.Stream == 1 && f.Type == Http2Frame.Data && f.Payload.Length > 0);
    }

    [Fact]
    public async Task OversizedHeaderOverHttp2_IsNeverA5xx_AndTheDaemonStaysUp()
    {
        var camera = fixture.Camera;
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/device", UriKind.Relative)) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        request.Headers.TryAddWithoutValidation("X-Big", new string('b', 32 * 1024));

        try
        {
            using var response = await camera.Client.SendAsync(request);
            Assert.InRange((int)response.StatusCode, 400, 499);
        }
        catch (HttpRequestException)
        {
            // HTTP/2 refuses an oversized header block with a stream or connection error, not an HTTP answer.
        }

        await ErrorBoundaryTests.AssertHealthyAsync(camera);
    }

    [Fact]
    public async Task NotFound_HasAStableProblemType()
    {
        var camera = fixture.Camera;

        using var response = await camera.Client.GetAsync(new Uri("/api/no-such-thing", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("\"type\":\"urn:iris:problem:http-404\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
