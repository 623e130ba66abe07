using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Serialization;
using Iris.Camera.Identity;
using Iris.Camera.Media;
using Iris.Camera.Web;
using Microsoft.Extensions.Logging;

namespace Iris.Camera.Link;

/// <summary>
/// Starts and ends end-to-end encrypted remote views on signed commands (issue 15, deliver 5). A start names the
/// relay (wss://, its certificate must chain to the link's CA like the broker's), a session id and the viewer's
/// ephemeral P-256 key; the camera agrees the session key, connects out with its device certificate, and answers
/// with a viewer token it signs for that session and its own ephemeral key. At most <see cref="MaximumSessions"/>
/// at once, each at most <see cref="CloudOptions.RemoteViewLimit"/> long.
/// </summary>
internal sealed partial class RemoteView(
    CloudOptions options,
    DeviceIdentity identity,
    ILiveMediaFeed feed,
    PrivacyMode privacy,
    PairedKeys keys,
    ClockFloor clock,
    TimeProvider time,
    ILogger<RemoteView> logger) : IDisposable
{
    public const int MaximumSessions = 2;
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromMinutes(2);

    private readonly ConcurrentDictionary<string, RemoteViewSession> _sessions = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();

    public int Active => _sessions.Count;

    /// <summary>Raised with the session id and the reason when a session ends (the status page and tests listen).</summary>
    public event Action<string, string>? Ended;

    /// <summary>Connects to the relay and returns the grant for the viewer, or why not (status <c>refused</c> or <c>failed</c>).</summary>
    public async Task<(string Status, string Detail, RemoteViewGrant? Grant)> StartAsync(RemoteCommand command, string keyId, CancellationToken cancellationToken)
    {
        var viewerKey = Base64Url.TryDecode(command.ViewerKey);
        if (!Uri.TryCreate(command.Relay, UriKind.Absolute, out var relay) || relay.Scheme != Uri.UriSchemeWss || !string.IsNullOrEmpty(relay.UserInfo)
            || relay.AbsolutePath != "/" || !string.IsNullOrEmpty(relay.Query) || command.SessionId is not { } sessionId || !IsValidSessionId(sessionId) || viewerKey is null)
        {
            return ("refused", "remote view needs a wss:// relay, a session id of 16-64 base64url characters and a viewer key", null);
        }

        if (privacy.Enabled)
        {
            return ("refused", "privacy mode is on", null);
        }

        if (options.CaCertificateFile is null)
        {
            return ("failed", "no CA configured for the relay", null);
        }

        if (_sessions.Count >= MaximumSessions || _sessions.ContainsKey(sessionId))
        {
            return ("refused", "too many remote views, or this session id is in use", null);
        }

        if (RemoteViewCipher.Agree(viewerKey, sessionId, identity.Serial) is not var (cipher, cameraKey))
        {
            return ("refused", "the viewer key is not a P-256 public key", null);
        }

        var socket = new ClientWebSocket();
        // The invoker stays with the session: the upgraded connection came from its handler.
        var invoker = new HttpMessageInvoker(CreateHandler(), disposeHandler: true);
        try
        {
            socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(15);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.OperationTimeout);
            await socket.ConnectAsync(new Uri(relay, $"relay/v1/camera/{sessionId}"), invoker, timeout.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or HttpRequestException)
        {
            socket.Dispose();
            invoker.Dispose();
            cipher.Dispose();
            LogRelayUnreachable(logger, ex.GetType().Name);
            return ("failed", "the relay could not be reached or refused the camera", null);
        }

        var expires = time.GetUtcNow() + options.RemoteViewLimit;
        var session = new RemoteViewSession(sessionId, keyId, expires, socket, invoker, cipher, feed, () => EndReason(keyId), time, logger);
        _sessions[sessionId] = session;
        _ = Task.Run(async () =>
        {
            var reason = "ended";
            try
            {
                reason = await session.RunAsync(_stopping.Token);
            }
            finally
            {
                _sessions.TryRemove(sessionId, out _);
                session.Dispose();
                Ended?.Invoke(sessionId, reason);
            }
        }, CancellationToken.None);
        LogStarted(logger, sessionId, relay.Authority);
        var grant = new RemoteViewGrant(sessionId, relay.GetLeftPart(UriPartial.Authority), IssueToken(sessionId), Base64Url.Encode(cameraKey), expires);
        return ("done", "remote view started", grant);
    }

    /// <summary>Ends the named session; false when there is none.</summary>
    public bool Stop(string? sessionId)
    {
        if (sessionId is null || !_sessions.TryGetValue(sessionId, out var session))
        {
            return false;
        }

        session.Stop("stopped by command");
        return true;
    }

    private string? EndReason(string keyId) =>
        privacy.Enabled ? "privacy mode was turned on" : keys.Find(keyId) is null ? "the key that started it was revoked" : null;

    /// <summary>base64url(JSON payload) "." base64url(device-key signature), what Iris.Relay checks against the certificate the camera connected with.</summary>
    private string IssueToken(string sessionId)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(
            new ViewerTokenPayload(1, sessionId, identity.Serial, (time.GetUtcNow() + TokenLifetime).ToUnixTimeSeconds(), Base64Url.Encode(RandomNumberGenerator.GetBytes(16))),
            RemoteViewJson.Default.ViewerTokenPayload);
        using var key = identity.Certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("The device certificate has no private key.");
        return Base64Url.Encode(payload) + "." + Base64Url.Encode(key.SignData(payload, HashAlgorithmName.SHA256));
    }

    private SocketsHttpHandler CreateHandler()
    {
        var handler = ClientTls.CreateHandler(ClientTls.LoadTrust(options.CaCertificateFile!), clock);
        handler.SslOptions.ClientCertificateContext = System.Net.Security.SslStreamCertificateContext.Create(identity.Certificate, identity.Chain, offline: true);
        return handler;
    }

    public static bool IsValidSessionId(string id) =>
        id.Length is >= 16 and <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    [LoggerMessage(EventId = 7030, Level = LogLevel.Information, Message = "Remote view {SessionId} started through {Relay}.")]
    private static partial void LogStarted(ILogger logger, string sessionId, string relay);

    [LoggerMessage(EventId = 7032, Level = LogLevel.Warning, Message = "Remote view not started: the relay could not be reached ({Failure}).")]
    private static partial void LogRelayUnreachable(ILogger logger, string failure);
}

/// <summary>What the owner app needs to open the viewer: relay, session, the token the relay admits, the camera's ephemeral key (SPKI) and the session's end.</summary>
public sealed record RemoteViewGrant(
    [property: JsonPropertyName("sessionId")] string SessionId,
    [property: JsonPropertyName("relay")] string Relay,
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("cameraKey")] string CameraKey,
    [property: JsonPropertyName("expiresAt")] DateTimeOffset ExpiresAt);

internal sealed record ViewerTokenPayload(
    [property: JsonPropertyName("v")] int Version,
    [property: JsonPropertyName("sessionId")] string SessionId,
    [property: JsonPropertyName("serial")] string Serial,
    [property: JsonPropertyName("expiresAt")] long ExpiresAt,
    [property: JsonPropertyName("nonce")] string Nonce);

[JsonSerializable(typeof(ViewerTokenPayload))]
internal sealed partial class RemoteViewJson : JsonSerializerContext;
