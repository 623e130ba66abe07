using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Net.Security;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Iris.Camera.Web;

/// <summary>
/// The answers Kestrel writes itself, before any HttpContext exists, to a request it cannot parse: request line
/// too long (414), headers too large or too many (431), a malformed request line or header (400), an HTTP version
/// it does not speak (505), a request target in asterisk or authority form (405), headers too slow (408). Kestrel
/// writes them bare (status, Date, Content-Length: 0, Connection: close) and runs no application code for them:
/// no middleware, no OnStarting callback, no response body feature; no Kestrel setting changes them.
/// <para>
/// What Kestrel does offer is the DiagnosticSource event <c>Microsoft.AspNetCore.Server.Kestrel.BadRequest</c>
/// (with <see cref="IBadRequestExceptionFeature"/>), raised synchronously on the connection's request loop after it
/// rejects the request and before it writes that answer, and connection middleware, which may wrap the connection's
/// (decrypted) transport. On HTTP/1.x connections this pairs them: the event logs the refusal as a client fault
/// and marks the connection, and the connection's output then writes the device's own answer in place of Kestrel's:
/// a 4xx (505 and 405 become 400: a version or target form the device does not serve is the client's fault) with
/// the security headers, problem details and Connection: close. Kestrel closes the connection after it, as before.
/// HTTP/2 rejects malformed requests with stream or connection errors (RST_STREAM, GOAWAY), not HTTP answers,
/// and its header compression state forbids rewriting frames: those connections are only logged.
/// </para>
/// </summary>
internal sealed class KestrelRejections(ClientFaultLog faults, TimeProvider time) : IObserver<KeyValuePair<string, object?>>, IDisposable
{
    public const string EventName = "Microsoft.AspNetCore.Server.Kestrel.BadRequest";

    private readonly ConcurrentDictionary<string, RejectableOutput> _connections = new(StringComparer.Ordinal);
    private IDisposable? _subscription;

    /// <summary>Starts listening to Kestrel's rejections; call once, before the first connection is served.</summary>
    public KestrelRejections Subscribe(DiagnosticListener listener)
    {
        _subscription ??= listener.Subscribe(this, static name => string.Equals(name, EventName, StringComparison.Ordinal));
        return this;
    }

    /// <summary>The connection middleware; it must run after TLS, on the decrypted stream.</summary>
    public ConnectionDelegate Middleware(ConnectionDelegate next) => async connection =>
    {
        var protocol = connection.Features.Get<ITlsApplicationProtocolFeature>()?.ApplicationProtocol ?? default;
        if (protocol.Span.SequenceEqual(SslApplicationProtocol.Http2.Protocol.Span))
        {
            await next(connection);
            return;
        }

        var output = new RejectableOutput(connection.Transport.Output);
        connection.Transport = new Transport(connection.Transport.Input, output);
        _connections[connection.ConnectionId] = output;
        try
        {
            await next(connection);
        }
        finally
        {
            _connections.TryRemove(connection.ConnectionId, out _);
        }
    };

    public void OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Value is not IFeatureCollection features)
        {
            return;
        }

        // Kestrel raises the same event when it cannot drain the body of a request the pipeline has answered
        // already; that request was logged and answered there.
        if (features.Get<IHttpResponseFeature>()?.HasStarted == true)
        {
            return;
        }

        var status = (features.Get<IBadRequestExceptionFeature>()?.Error as BadHttpRequestException)?.StatusCode ?? StatusCodes.Status400BadRequest;
        var (answerStatus, type, title) = Describe(status);
        var connection = features.Get<IHttpConnectionFeature>();
        faults.Record(type, answerStatus, "rejected by the HTTP parser");
        if (connection?.ConnectionId is { } id && _connections.TryGetValue(id, out var output))
        {
            // The headers Kestrel parsed before it refused (none when the request line itself was bad): the
            // owner's language when Accept-Language came before the fault, English otherwise.
            var language = ProblemTexts.LanguageOf(features.Get<IHttpRequestFeature>()?.Headers?[HeaderNames.AcceptLanguage] ?? default);
            output.ReplaceNextAnswer(Answer(answerStatus, type, title, time.GetUtcNow(), language));
        }
    }

    public void OnError(Exception error)
    {
    }

    public void OnCompleted()
    {
    }

    public void Dispose() => _subscription?.Dispose();

    internal static (int Status, string Type, string Title) Describe(int kestrelStatus) => kestrelStatus switch
    {
        StatusCodes.Status414UriTooLong => (kestrelStatus, "request-target-too-long", "The request target is too long."),
        StatusCodes.Status431RequestHeaderFieldsTooLarge => (kestrelStatus, "headers-too-large", "The request headers are too large or too many."),
        StatusCodes.Status413PayloadTooLarge => (kestrelStatus, "body-too-large", "The request body is too large."),
        StatusCodes.Status408RequestTimeout => (kestrelStatus, "request-timeout", "The request arrived too slowly."),
        StatusCodes.Status505HttpVersionNotsupported => (StatusCodes.Status400BadRequest, "http-version-not-supported", "The device speaks HTTP/1.1 and HTTP/2 only."),
        _ => (StatusCodes.Status400BadRequest, "bad-request", "The request could not be read."),
    };

    /// <summary>A complete HTTP/1.1 answer that ends the connection, with the same headers the pipeline adds.</summary>
    internal static byte[] Answer(int status, string type, string title, DateTimeOffset now, string language = ProblemTexts.English)
    {
        var (words, detail) = ProblemTexts.Words(type, title, language);
        var body = JsonSerializer.SerializeToUtf8Bytes(
            new Microsoft.AspNetCore.Mvc.ProblemDetails { Type = Problems.TypePrefix + type, Title = words, Detail = detail, Status = status },
            WebJson.Default.ProblemDetails);
        var head = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {status} {ReasonPhrases.GetReasonPhrase(status)}\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Type: {Problems.MediaType}\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Language: {language}\r\n")
            .Append("Connection: close\r\n")
            .Append(CultureInfo.InvariantCulture, $"Date: {now.ToString("r", CultureInfo.InvariantCulture)}\r\n");
        foreach (var (name, value) in SecurityHeaders.Always.Concat(SecurityHeaders.NotCached))
        {
            head.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        }

        head.Append("\r\n");
        return [.. Encoding.ASCII.GetBytes(head.ToString()), .. body];
    }

    private sealed class Transport(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
