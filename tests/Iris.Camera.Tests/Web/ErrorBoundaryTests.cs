using System.Net;
using System.Text;
using System.Text.Json;
using Iris.Camera.Tests.Support;
using Iris.Camera.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Iris.Camera.Tests.Web;

/// <summary>
/// Issue 11, point 9: a malformed request is a client fault (4xx problem details, one short rate-limited log line),
/// only a real device fault is a 500 (logged once, with its stack, without request content).
/// </summary>
public sealed class ErrorBoundaryTests
{
    private static readonly byte[] OverflowingChunk = "FFFFFFFFFFFFFFFFFFFF\r\n"u8.ToArray();

    [Fact]
    public async Task ChunkSizeThatOverflows_Is400ProblemDetails_LoggedAsOneLineWithoutStack()
    {
        var log = new CapturedLog();
        await using var camera = await InProcessCamera.StartAsync(configure: b => b.Logging.AddProvider(log));

        var response = await SendChunkedAsync(camera, "/api/auth/login", OverflowingChunk);

        AssertProblem(response, HttpStatusCode.BadRequest, "bad-request");
        var refusals = log.Lines.Where(l => l.Category == typeof(ClientFaultLog).FullName).ToList();
        Assert.Single(refusals);
        Assert.Contains("/api/auth/login", refusals[0].Message, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", refusals[0].Message, StringComparison.Ordinal); // the daemon log holds no personal data (issue 12)
        Assert.DoesNotContain(log.Lines, l => l.Exception is not null || l.Level >= LogLevel.Error);
        await AssertHealthyAsync(camera);
    }

    [Fact]
    public async Task InTheDaemonProcess_AMalformedRequestLeavesOneShortLine_AndNoStackTrace()
    {
        using var data = new TempDirectory();
        using var camera = await CameraProcess.StartAsync(data.Path);
        var request = Encoding.ASCII.GetBytes($"POST /api/auth/login HTTP/1.1\r\nHost: {camera.BaseAddress.Authority}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var response = await RawHttps.SendAsync(camera.BaseAddress, camera.Certificate, [.. request, .. OverflowingChunk], isHead: false, timeout.Token);

        AssertProblem(response!, HttpStatusCode.BadRequest, "bad-request");
        var line = await camera.Process.WaitForLineAsync(l => l.Contains("Refused a malformed request", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.True(line.Length < 300, line);
        var output = camera.Process.StandardOutput + camera.Process.StandardError;
        Assert.DoesNotContain(" at Microsoft.", output, StringComparison.Ordinal);
        Assert.DoesNotContain("fail:", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ManyMalformedRequests_LogOneLinePerSecond_NotOnePerRequest()
    {
        var log = new CapturedLog();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var camera = await InProcessCamera.StartAsync(configure: b => b.Logging.AddProvider(log), time: time);

        for (var i = 0; i < 5; i++)
        {
            AssertProblem(await SendChunkedAsync(camera, "/api/auth/login", OverflowingChunk), HttpStatusCode.BadRequest, "bad-request");
        }

        time.Advance(TimeSpan.FromSeconds(1));
        AssertProblem(await SendChunkedAsync(camera, "/api/auth/login", OverflowingChunk), HttpStatusCode.BadRequest, "bad-request");

        var refusals = log.Lines.Where(l => l.Category == typeof(ClientFaultLog).FullName).Select(l => l.Message).ToList();
        Assert.Equal(2, refusals.Count);
        Assert.Contains("4 more of this kind", refusals[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/test/wrapped")]   // the handler wraps the body's exception in its own
    [InlineData("/api/test/swallowed")] // the handler throws its own and drops the body's
    public async Task BodyReadFailure_IsAClientFault_HoweverTheHandlerRethrowsIt(string path)
    {
        var log = new CapturedLog();
        await using var camera = await InProcessCamera.StartAsync(configure: b => b.Logging.AddProvider(log), beforeStart: MapTestEndpoints);

        var response = await SendChunkedAsync(camera, path, OverflowingChunk);

        AssertProblem(response, HttpStatusCode.BadRequest, "bad-request");
        Assert.DoesNotContain(log.Lines, l => l.Exception is not null || l.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task BodyOverTheSizeLimit_Is413ProblemDetails()
    {
        await using var camera = await InProcessCamera.StartAsync();
        // Chunked, so the size is known only while reading: the limit is enforced inside the handler's read.
        var json = "{\"username\":\"" + new string('a', 70 * 1024) + "\"}";
        var chunk = Encoding.ASCII.GetBytes($"{json.Length:X}\r\n{json}\r\n0\r\n\r\n");

        AssertProblem(await SendChunkedAsync(camera, "/api/auth/login", chunk), HttpStatusCode.RequestEntityTooLarge, "body-too-large");
    }

    [Fact]
    public async Task DeviceFault_Is500ProblemDetails_LoggedOnceWithStack_WithoutRequestContent()
    {
        var log = new CapturedLog();
        await using var camera = await InProcessCamera.StartAsync(configure: b => b.Logging.AddProvider(log), beforeStart: MapTestEndpoints);

        using var response = await camera.Client.GetAsync(new Uri("/api/test/throw?marker=hunter2-secret", UriKind.Relative));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(Problems.MediaType, response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("urn:iris:problem:internal", body, StringComparison.Ordinal);
        Assert.DoesNotContain("device bug", body, StringComparison.Ordinal);
        var errors = log.Lines.Where(l => l.Level >= LogLevel.Error).ToList();
        var error = Assert.Single(errors);
        Assert.IsType<InvalidOperationException>(error.Exception);
        Assert.Contains("/api/test/throw", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(log.Lines, l => l.ToString().Contains("hunter2", StringComparison.Ordinal));
        await AssertHealthyAsync(camera);
    }

    [Theory]
    [InlineData(typeof(InvalidOperationException), false, false, 500)]
    [InlineData(typeof(IOException), false, false, 500)]   // a disk error is the device's
    [InlineData(typeof(IOException), true, true, 400)]     // but not when reading the client's body failed
    [InlineData(typeof(JsonException), false, false, 500)] // device data that is not valid JSON
    [InlineData(typeof(JsonException), false, true, 400)]  // the client's body that is not
    public void Classify_BlamesTheClientOnlyForWhatTheClientSent(Type exceptionType, bool bodyFaulted, bool bodyWasRead, int expected)
    {
        var error = (Exception)Activator.CreateInstance(exceptionType)!;

        var fault = ErrorBoundary.Classify(error, requestAborted: false, bodyFaulted, bodyWasRead);

        Assert.Equal(expected, fault!.Status);
    }

    [Fact]
    public void Classify_FindsAClientFaultWrappedInOtherExceptions()
    {
        var bad = new BadHttpRequestException("bad", StatusCodes.Status413PayloadTooLarge);
        var wrapped = new AggregateException(new InvalidOperationException("outer", new TaskCanceledException("middle", bad)));

        var fault = ErrorBoundary.Classify(wrapped, requestAborted: false, bodyFaulted: false, bodyWasRead: false);

        Assert.Equal((413, "body-too-large", true), (fault!.Status, fault.Type, fault.FromClient));
    }

    [Fact]
    public void Classify_NeverAnswers5xxForAClientFault()
    {
        var fault = ErrorBoundary.Classify(new BadHttpRequestException("odd", 503), requestAborted: false, bodyFaulted: false, bodyWasRead: false);

        Assert.Equal(400, fault!.Status);
    }

    [Fact]
    public void Classify_AnswersNothingWhenTheClientHasGone()
    {
        Assert.Null(ErrorBoundary.Classify(new OperationCanceledException(), requestAborted: true, bodyFaulted: false, bodyWasRead: false));
    }

    internal static void MapTestEndpoints(WebApplication app)
    {
        app.MapGet("/api/test/throw", (string? marker) => { throw new InvalidOperationException("device bug"); })
            .AllowQuery("marker").AllowAnyone("Test: a device fault.");
        app.MapPost("/api/test/wrapped", async (HttpContext http) =>
        {
            try
            {
                await http.Request.Body.CopyToAsync(Stream.Null);
            }
            catch (IOException ex)
            {
                throw new InvalidOperationException("could not store the upload", ex);
            }

            return Results.NoContent();
        }).Accepts<object>("application/json").AllowAnyone("Test: wraps the body's exception.");
        app.MapPost("/api/test/swallowed", async (HttpContext http) =>
        {
            try
            {
                await http.Request.Body.CopyToAsync(Stream.Null);
            }
            catch (IOException)
            {
                throw new InvalidOperationException("could not store the upload");
            }

            return Results.NoContent();
        }).Accepts<object>("application/json").AllowAnyone("Test: replaces the body's exception.");
    }

    internal static async Task<RawResponse> SendChunkedAsync(InProcessCamera camera, string path, byte[] framing)
    {
        var request = Encoding.ASCII.GetBytes($"POST {path} HTTP/1.1\r\nHost: {camera.BaseAddress.Authority}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await RawHttps.SendAsync(camera.BaseAddress, camera.Certificate, [.. request, .. framing], isHead: false, timeout.Token)
            ?? throw new Xunit.Sdk.XunitException("The device closed the connection without an answer.");
    }

    internal static void AssertProblem(RawResponse response, HttpStatusCode status, string type)
    {
        Assert.True((int)status == response.Status, $"expected {(int)status}, got {response.Status}: {response.BodyText}");
        Assert.StartsWith(Problems.MediaType, response.Header("Content-Type"), StringComparison.Ordinal);
        using var problem = JsonDocument.Parse(response.Body);
        Assert.Equal(Problems.TypePrefix + type, problem.RootElement.GetProperty("type").GetString());
        Assert.Equal((int)status, problem.RootElement.GetProperty("status").GetInt32());
        foreach (var (name, value) in SecurityHeaders.Always)
        {
            Assert.Equal(value, response.Header(name));
        }

        Assert.Equal("no-store", response.Header("Cache-Control"));
    }

    internal static async Task AssertHealthyAsync(InProcessCamera camera)
    {
        using var health = await camera.Client.GetAsync(new Uri("/api/device", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }
}
