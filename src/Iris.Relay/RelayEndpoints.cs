using System.Buffers;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Iris.Relay;

/// <summary>
/// The relay's three doors (docs/platform-protocol.md, "Relay"): the viewer page, the camera's WebSocket (admitted
/// by its device certificate at the TLS handshake) and the viewer's WebSocket (admitted by a token the camera
/// signed for that session). Binary messages from the camera are forwarded to the viewer byte for byte: they are
/// sealed end to end and the relay holds no key to open them. Every refusal is RFC 9457 problem+json.
/// </summary>
internal static partial class RelayEndpoints
{
    public const string ProblemPrefix = "urn:iris:relay:problem:";

    public static void MapRelay(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/", () => ViewerPage.Serve("viewer.html", "text/html; charset=utf-8"));
        routes.MapGet("/viewer.js", () => ViewerPage.Serve("viewer.js", "text/javascript; charset=utf-8"));
        routes.Map("/relay/v1/camera/{sessionId}", CameraAsync);
        routes.Map("/relay/v1/view/{sessionId}", ViewerAsync);
    }

    private static async Task<IResult> CameraAsync(string sessionId, HttpContext context, RelaySessions sessions, RelayOptions options, ILoggerFactory loggers)
    {
        if (await context.Connection.GetClientCertificateAsync(context.RequestAborted) is not { } certificate)
        {
            // Kestrel already refused any certificate that does not chain to the device CA; none at all ends here.
            return Problem(StatusCodes.Status401Unauthorized, "device-certificate-required", "A camera must present its device certificate.");
        }

        if (!context.WebSockets.IsWebSocketRequest || !RelaySessions.IsValidId(sessionId))
        {
            return Problem(StatusCodes.Status400BadRequest, "bad-request", "Expected a WebSocket request for a valid session id.");
        }

        using var key = certificate.GetECDsaPublicKey()!;
        var serial = DeviceCertificates.SerialOf(certificate);
        if (sessions.TryOpen(sessionId, serial, key.ExportSubjectPublicKeyInfo()) is not { } session)
        {
            return Problem(StatusCodes.Status409Conflict, "session-unavailable", "This session id is in use, this camera holds its most sessions, or the relay is full.");
        }

        var logger = loggers.CreateLogger("Iris.Relay.Camera");
        try
        {
            using var camera = await context.WebSockets.AcceptWebSocketAsync();
            session.AttachCamera(camera);
            LogCameraOpened(logger, serial);
            await ForwardAsync(camera, session, options.FrameLimit, context.RequestAborted);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The camera went away; the session ends either way.
        }
        finally
        {
            await CloseViewerAsync(session);
            sessions.Close(session);
            LogCameraClosed(logger, serial);
        }

        return Results.Empty;
    }

    /// <summary>However the camera's side ended, the viewer hears a proper close (its page says the session ended).</summary>
    private static async Task CloseViewerAsync(RelaySession session)
    {
        if (session.Viewer is { State: WebSocketState.Open or WebSocketState.CloseReceived } viewer)
        {
            try
            {
                await viewer.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "camera ended the session", CancellationToken.None);
            }
            catch (WebSocketException)
            {
                // The viewer is gone too.
            }
        }
    }

    /// <summary>Reads whole messages from the camera and hands each binary one, unchanged, to the viewer if there is one.</summary>
    private static readonly TimeSpan ViewerSendTimeout = TimeSpan.FromSeconds(10);

    private static async Task ForwardAsync(WebSocket camera, RelaySession session, int frameLimit, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(frameLimit);
        try
        {
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult received;
                do
                {
                    if (length == frameLimit)
                    {
                        await camera.CloseAsync(WebSocketCloseStatus.MessageTooBig, "fragment too large", cancellationToken);
                        return;
                    }

                    received = await camera.ReceiveAsync(buffer.AsMemory(length, frameLimit - length), cancellationToken);
                    length += received.Count;
                }
                while (!received.EndOfMessage && received.MessageType != WebSocketMessageType.Close);

                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await camera.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken);
                    return;
                }

                if (received.MessageType == WebSocketMessageType.Binary && session.Viewer is { State: WebSocketState.Open } viewer)
                {
                    // A viewer that stops reading must not stop the relay reading the camera (the camera would then
                    // stall too): a send that does not finish in time aborts that viewer's socket and detaches it.
                    using var sending = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    sending.CancelAfter(ViewerSendTimeout);
                    try
                    {
                        await viewer.SendAsync(buffer.AsMemory(0, length), WebSocketMessageType.Binary, true, sending.Token);
                    }
                    catch (Exception ex) when (ex is WebSocketException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                    {
                        viewer.Abort();
                        session.DetachViewer(viewer);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<IResult> ViewerAsync(string sessionId, HttpContext context, RelaySessions sessions, RelayOptions options, TimeProvider time, ILoggerFactory loggers)
    {
        if (!context.WebSockets.IsWebSocketRequest || !RelaySessions.IsValidId(sessionId))
        {
            return Problem(StatusCodes.Status400BadRequest, "bad-request", "Expected a WebSocket request for a valid session id.");
        }

        var logger = loggers.CreateLogger("Iris.Relay.Viewer");
        // An unknown session and a bad token get the same answer: a viewer learns nothing about other sessions.
        var refusal = sessions.Find(sessionId) is { } found
            ? ViewerToken.Check(context.Request.Query["token"], found, time.GetUtcNow(), options.TokenLifetimeLimit, out var nonce) is { } reason
                ? reason
                : found.UseToken(nonce) ? null : "token already used"
            : "no such session";
        if (refusal is not null || sessions.Find(sessionId) is not { } session)
        {
            LogViewerRefused(logger, refusal ?? "no such session");
            return Problem(StatusCodes.Status401Unauthorized, "viewer-token-refused", "The viewer token does not admit to this session.");
        }

        using var viewer = await context.WebSockets.AcceptWebSocketAsync();
        if (!session.TryAttachViewer(viewer))
        {
            await viewer.CloseAsync(WebSocketCloseStatus.PolicyViolation, "the session has a viewer", context.RequestAborted);
            return Results.Empty;
        }

        try
        {
            await session.NotifyCameraAsync("viewer-joined", context.RequestAborted);
            // The viewer only listens; anything it sends is read and dropped until it closes.
            var scratch = new byte[256];
            while (viewer.State == WebSocketState.Open)
            {
                var received = await viewer.ReceiveAsync(scratch.AsMemory(), context.RequestAborted);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await viewer.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, context.RequestAborted);
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The viewer went away.
        }
        finally
        {
            session.DetachViewer(viewer);
            await session.NotifyCameraAsync("viewer-left", CancellationToken.None);
        }

        return Results.Empty;
    }

    private static ProblemHttpResult Problem(int status, string type, string title) =>
        TypedResults.Problem(statusCode: status, title: title, type: ProblemPrefix + type);

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Camera {Serial} opened a session.")]
    private static partial void LogCameraOpened(ILogger logger, string serial);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Camera {Serial} closed its session.")]
    private static partial void LogCameraClosed(ILogger logger, string serial);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "Viewer refused: {Reason}.")]
    private static partial void LogViewerRefused(ILogger logger, string reason);
}
