using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;

namespace Iris.Relay;

/// <summary>
/// The only state the relay holds: the live sessions of this instance, in memory, gone when their camera
/// disconnects. Nothing is written anywhere, so instances scale out behind any load balancer that keeps a
/// session's camera and viewer on one instance (route by the session id in the path).
/// </summary>
internal sealed class RelaySessions(RelayOptions options)
{
    private readonly ConcurrentDictionary<string, RelaySession> _sessions = new(StringComparer.Ordinal);

    public int Count => _sessions.Count;

    /// <summary>Opens a session for a camera; null when the id is taken (by anyone) or the instance is full.</summary>
    public RelaySession? TryOpen(string id, string serial, byte[] cameraKey)
    {
        // Per camera too: one device's key (extracted from one camera) must not take the sessions every camera shares.
        if (_sessions.Count >= options.SessionLimit || _sessions.Values.Count(s => s.Serial == serial) >= options.SessionsPerCamera)
        {
            return null;
        }

        var session = new RelaySession(id, serial, cameraKey);
        return _sessions.TryAdd(id, session) ? session : null;
    }

    public RelaySession? Find(string id) => _sessions.GetValueOrDefault(id);

    public void Close(RelaySession session)
    {
        _sessions.TryRemove(new KeyValuePair<string, RelaySession>(session.Id, session));
        session.Dispose();
    }

    /// <summary>Session ids are the camera's random choice: 16-64 base64url characters.</summary>
    public static bool IsValidId(string id) =>
        id.Length is >= 16 and <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}

/// <summary>One live session: the camera that opened it (serial and public key, to check viewer tokens) and at most one viewer.</summary>
internal sealed class RelaySession(string id, string serial, byte[] cameraKey) : IDisposable
{
    private readonly HashSet<string> _usedTokens = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _cameraSend = new(1, 1);
    private WebSocket? _camera;
    private WebSocket? _viewer;

    public string Id => id;

    public string Serial => serial;

    /// <summary>The camera certificate's SubjectPublicKeyInfo.</summary>
    public byte[] CameraKey => cameraKey;

    /// <summary>A token admits once: a copy seen on the way cannot join later.</summary>
    public bool UseToken(string nonce)
    {
        lock (_gate)
        {
            return _usedTokens.Add(nonce);
        }
    }

    public void Dispose() => _cameraSend.Dispose();

    public void AttachCamera(WebSocket camera) => _camera = camera;

    /// <summary>The viewer now, if any; the camera's fragments go to it.</summary>
    public WebSocket? Viewer => Volatile.Read(ref _viewer);

    /// <summary>One viewer at a time: a second one is refused rather than let in to share or steal the stream.</summary>
    public bool TryAttachViewer(WebSocket viewer) => Interlocked.CompareExchange(ref _viewer, viewer, null) is null;

    public void DetachViewer(WebSocket viewer) => Interlocked.CompareExchange(ref _viewer, null, viewer);

    /// <summary>Tells the camera a viewer came or went (a text message), so it starts the stream at an initialization segment or stops.</summary>
    public async Task NotifyCameraAsync(string type, CancellationToken cancellationToken)
    {
        if (_camera is not { State: WebSocketState.Open } camera)
        {
            return;
        }

        try
        {
            await _cameraSend.WaitAsync(cancellationToken);
            try
            {
                await camera.SendAsync(Encoding.UTF8.GetBytes($"{{\"type\":\"{type}\"}}"), WebSocketMessageType.Text, true, cancellationToken);
            }
            finally
            {
                _cameraSend.Release();
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The camera is gone (and the session with it); its own loop ends the session.
        }
    }
}
