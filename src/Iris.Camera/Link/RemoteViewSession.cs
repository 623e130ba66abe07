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
    private readonly CancellationTokenSource _stop = new();
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
    public async Task<string> RunAsync(CancellationToken stoppingToken)
    {
        using var end = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, _stop.Token);
        var listen = ListenAsync(end.Token);
        var watch = WatchAsync(end.Token);
        var first = await Task.WhenAny(listen, watch);
        var reason = _stopReason ?? (stoppingToken.IsCancellationRequested ? "the camera is stopping" : await first);
        await end.CancelAsync();
        await StopPushingAsync();
        await Task.WhenAll(listen.ContinueWith(_ => { }, TaskScheduler.Default), watch.ContinueWith(_ => { }, TaskScheduler.Default));
        try
        {
            using var closing = new CancellationTokenSource(TimeSpan.FromSeconds(5), time);
            if (socket.State == WebSocketState.Open)
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, reason, closing.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The relay is gone already.
        }

        LogEnded(logger, sessionId, reason);
        return reason;
    }

    /// <summary>Reads the relay's notices: a viewer joined (start the stream afresh) or left (stop it).</summary>
    private async Task<string> ListenAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[1024];
        try
        {
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    return "the relay closed the session";
                }

                if (received.MessageType != WebSocketMessageType.Text || !received.EndOfMessage)
                {
                    continue;
                }

                var type = NoticeType(buffer.AsSpan(0, received.Count));
                if (type == "viewer-joined")
                {
                    await StopPushingAsync();
                    _pushing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    _push = PushAsync(_pushing.Token);
                }
                else if (type == "viewer-left")
                {
                    await StopPushingAsync();
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            return "the relay connection was lost";
        }
    }

    /// <summary>Checks once a second whether the session must end (privacy, revoked key, expiry).</summary>
    private async Task<string> WatchAsync(CancellationToken cancellationToken)
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
                    await socket.SendAsync(sealedMessage, WebSocketMessageType.Binary, true, cancellationToken);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(500), time, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // Stopped, or the relay is gone (the listener notices that and ends the session).
        }
    }

    private async Task StopPushingAsync()
    {
        if (_pushing is { } pushing)
        {
            await pushing.CancelAsync();
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
        cipher.Dispose();
        socket.Dispose();
        transport.Dispose();
    }

    [LoggerMessage(EventId = 7031, Level = LogLevel.Information, Message = "Remote view {SessionId} ended: {Reason}.")]
    private static partial void LogEnded(ILogger logger, string sessionId, string reason);
}
