using System.Net.WebSockets;
using System.Text.Json;
using Iris.Camera.Media;
using Microsoft.Extensions.Logging;

namespace Iris.Camera.Link;

/// <summary>
/// One remote-view session on its outbound WebSocket to the relay. The stream is pushed only while the relay says
/// a viewer is there; each time one joins, a new subscription to the live feed starts at an initialization segment
/// and a keyframe, so the viewer can start decoding. Each fragment is sealed (<see cref="RemoteViewCipher"/>)
/// before it leaves. The session ends at the first of: a stop command, privacy mode, the starting key revoked, the
/// session's expiry, the relay closing, the daemon stopping; its end closes the WebSocket, and the relay the viewer.
/// </summary>
internal sealed partial class RemoteViewSession(
    string sessionId,
    string keyId,
    DateTimeOffset expiresAt,
    ClientWebSocket socket,
    HttpMessageInvoker transport,
    RemoteViewCipher cipher,
    ILiveMediaFeed feed,
    Func<string?> endReason,
    TimeProvider time,
    ILogger logger) : IDisposable
{
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(2);
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _pushGate = new(1, 1);
    private CancellationTokenSource? _pushing;
    private Task _push = Task.CompletedTask;
    private string? _stopReason;

    public string SessionId => sessionId;

    public string KeyId => keyId;

    public DateTimeOffset ExpiresAt => expiresAt;

    public void Stop(string reason)
    {
        _stopReason ??= reason;
        _stop.Cancel();
    }

    /// <summary>Runs until the session ends; returns why it ended.</summary>
    /// <remarks>
    /// Receives and sends on the socket are never cancelled: a cancelled WebSocket operation aborts the socket,
    /// and the relay would then cut the viewer off without telling it. The end is a close handshake instead.
    /// </remarks>
    public async Task<string> RunAsync(CancellationToken stoppingToken)
    {
        using var end = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, _stop.Token);
        var listen = ListenAsync(end.Token);
        var watch = WatchAsync(end.Token);
        var first = await Task.WhenAny((Task)listen, watch);
        var reason = first == listen ? await listen : await watch ?? _stopReason ?? "the camera is stopping";
        await end.CancelAsync();
        await StopPushingAsync();
        if (!listen.IsCompleted)
        {
            try
            {
                using var closing = new CancellationTokenSource(TimeSpan.FromSeconds(5), time);
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, reason, closing.Token);
                // The relay answers with its own close, which ends the listener.
                await listen.WaitAsync(TimeSpan.FromSeconds(5), time, CancellationToken.None);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or TimeoutException)
            {
                socket.Abort();
            }
        }

        await watch;
        LogEnded(logger, sessionId, reason);
        return reason;
    }

    /// <summary>Reads the relay's notices: a viewer joined (start the stream afresh) or left (stop it); returns when the relay closes.</summary>
    private async Task<string> ListenAsync(CancellationToken sessionToken)
    {
        var buffer = new byte[1024];
        try
        {
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    if (socket.State == WebSocketState.CloseReceived)
                    {
                        await StopPushingAsync();
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    }

                    return "the relay closed the session";
                }

                if (received.MessageType != WebSocketMessageType.Text || !received.EndOfMessage || sessionToken.IsCancellationRequested)
                {
                    continue;
                }

                var type = NoticeType(buffer.AsSpan(0, received.Count));
                if (type == "viewer-joined")
                {
                    await RestartPushingAsync(sessionToken);
                }
                else if (type == "viewer-left")
                {
                    await StopPushingAsync();
                }
            }
        }
        catch (WebSocketException)
        {
            return "the relay connection was lost";
        }
    }

    /// <summary>Checks once a second whether the session must end (privacy, revoked key, expiry); null when stopped otherwise.</summary>
    private async Task<string?> WatchAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                if (time.GetUtcNow() >= expiresAt)
                {
                    return "the session expired";
                }

                if (endReason() is { } reason)
                {
                    return reason;
                }

                await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private async Task PushAsync(CancellationToken cancellationToken)
    {
        try
        {
            // The feed completes when the encoding changes or capture stops; follow it again (a new initialization
            // segment), and the watch ends the session if privacy mode is why.
            while (true)
            {
                await foreach (var fragment in feed.FollowAsync(cancellationToken))
                {
                    var sealedMessage = cipher.Seal(fragment.IsInitialization ? RemoteViewCipher.Initialization : RemoteViewCipher.Fragment, fragment.Bytes.Span);
                    // Not cancelled on stop (that would abort the socket before the close handshake), but a relay (or
                    // its viewer) that stops reading must not hold the session: a send that does not finish within
                    // SendTimeout aborts the socket, and the listener ends the session as lost.
                    using var sending = new CancellationTokenSource(SendTimeout, time);
                    await socket.SendAsync(sealedMessage, WebSocketMessageType.Binary, true, sending.Token);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(500), time, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // Stopped, or the relay is gone (the listener notices that and ends the session).
        }
    }

    /// <summary>A new subscription to the feed for a new viewer; the old one (if any) is stopped first, so only one sends.</summary>
    private async Task RestartPushingAsync(CancellationToken sessionToken)
    {
        await _pushGate.WaitAsync(CancellationToken.None);
        try
        {
            await StopPushingLockedAsync();
            if (!sessionToken.IsCancellationRequested)
            {
                _pushing = CancellationTokenSource.CreateLinkedTokenSource(sessionToken);
                _push = PushAsync(_pushing.Token);
            }
        }
        finally
        {
            _pushGate.Release();
        }
    }

    private async Task StopPushingAsync()
    {
        await _pushGate.WaitAsync(CancellationToken.None);
        try
        {
            await StopPushingLockedAsync();
        }
        finally
        {
            _pushGate.Release();
        }
    }

    private async Task StopPushingLockedAsync()
    {
        if (_pushing is { } pushing)
        {
            await pushing.CancelAsync();
            // A send stuck on a peer that stopped reading would hold the end (privacy mode, stop, expiry) and the
            // session's slot: after a short grace the socket is aborted, which fails the send.
            using (var grace = new CancellationTokenSource())
            {
                if (await Task.WhenAny(_push, Task.Delay(StopGrace, time, grace.Token)) != _push)
                {
                    socket.Abort();
                }

                await grace.CancelAsync();
            }

            await _push;
            pushing.Dispose();
            _pushing = null;
        }
    }

    private static string? NoticeType(ReadOnlySpan<byte> utf8)
    {
        try
        {
            using var document = JsonDocument.Parse(utf8.ToArray());
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("type", out var type) ? type.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        _stop.Dispose();
        _pushing?.Dispose();
        _pushGate.Dispose();
        cipher.Dispose();
        socket.Dispose();
        transport.Dispose();
    }

    [LoggerMessage(EventId = 7031, Level = LogLevel.Information, Message = "Remote view {SessionId} ended: {Reason}.")]
    private static partial void LogEnded(ILogger logger, string sessionId, string reason);
}
