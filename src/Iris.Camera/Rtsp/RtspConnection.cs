using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Iris.Camera.Accounts;
using Iris.Camera.Media;

namespace Iris.Camera.Rtsp;

/// <summary>
/// One RTSP 1.0 (RFC 2326) conversation inside an established TLS connection: OPTIONS, DESCRIBE, SETUP (interleaved
/// TCP only), PLAY, TEARDOWN and GET_PARAMETER, every request authenticated. While it is open the connection is
/// re-checked every <see cref="MediaOptions.SessionRecheckInterval"/> like a browser's live view: it ends when its
/// session is revoked or expires (account disabled, password changed), privacy mode turns on, or RTSPS is turned off.
/// </summary>
internal sealed partial class RtspConnection(
    Stream stream, string source, ILiveMediaFeed feed, Func<bool> enabled, RtspConnectionServices services, CancellationToken stopping) : IDisposable
{
    private const string Methods = "OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, GET_PARAMETER";

    /// <summary>Requests without credentials answered (401 with the challenge) before the connection closes: a client needs one.</summary>
    private const int MaxChallenges = 3;
    private readonly SemaphoreSlim _write = new(1, 1);
    private readonly string _sessionId = Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
    private readonly CancellationTokenSource _closed = CancellationTokenSource.CreateLinkedTokenSource(stopping);
    private RtspLogin? _login;
    private RtspMediaSession? _media;
    private IDisposable? _slot;
    private Task _pump = Task.CompletedTask;
    private Task _watch = Task.CompletedTask;
    private int _challenges;

    public async Task RunAsync()
    {
        var reader = new RtspMessageReader(stream, services.Options, services.Time);
        var signInDeadline = CloseUnlessSignedInAsync();
        try
        {
            while (!_closed.IsCancellationRequested)
            {
                var message = await reader.ReadAsync(_closed.Token);
                if (message.Kind == RtspMessageKind.Closed)
                {
                    break;
                }

                if (message.Kind == RtspMessageKind.Malformed)
                {
                    await RespondAsync(message.CSeq, 400, "Bad Request", [("Connection", "close")]);
                    break;
                }

                if (message.Kind == RtspMessageKind.Request && !await HandleAsync(message.Request!))
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // Timed out, closed by the client, or ended by the re-check: nothing to answer.
        }
        finally
        {
            await _closed.CancelAsync();
            await Task.WhenAll(_pump, _watch, signInDeadline).ContinueWith(_ => { }, TaskScheduler.Default);
            if (_media is not null)
            {
                await _media.DisposeAsync();
            }

            _slot?.Dispose();
            if (_login is not null)
            {
                services.Sessions.Revoke(_login.Session.TokenHash);
            }
        }
    }

    public void Dispose()
    {
        _closed.Dispose();
        _write.Dispose();
    }

    /// <summary>Answers one request; false closes the connection.</summary>
    private async Task<bool> HandleAsync(RtspRequest request)
    {
        if (!await AuthenticateAsync(request))
        {
            return !_closed.IsCancellationRequested && _login is null && request.Header("Authorization") is null && ++_challenges < MaxChallenges;
        }

        var session = request.Header("Session")?.Split(';')[0].Trim();
        if (session is not null && !string.Equals(session, _sessionId, StringComparison.Ordinal))
        {
            await RespondAsync(request.CSeq, 454, "Session Not Found");
            return true;
        }

        switch (request.Method)
        {
            case "OPTIONS":
                await RespondAsync(request.CSeq, 200, "OK", [("Public", Methods)]);
                return true;
            case "GET_PARAMETER":
                await RespondAsync(request.CSeq, 200, "OK", SessionHeader());
                return true;
            case "DESCRIBE":
                return await DescribeAsync(request);
            case "SETUP":
                await SetupAsync(request);
                return true;
            case "PLAY":
                await PlayAsync(request, session);
                return true;
            case "TEARDOWN":
                await RespondAsync(request.CSeq, 200, "OK", [("Connection", "close")]);
                return false;
            default:
                await RespondAsync(request.CSeq, 405, "Method Not Allowed", [("Allow", Methods)]);
                return true;
        }
    }

    /// <summary>
    /// A connection that has not signed in within <see cref="RtspOptions.RequestTimeout"/> is closed, whatever it sends
    /// (interleaved data resets the idle timer, not this one): it would hold a connection slot without paying for a
    /// login. Clients sign in with their first or second request, right after the handshake.
    /// </summary>
    private async Task CloseUnlessSignedInAsync()
    {
        try
        {
            await Task.Delay(services.Options.RequestTimeout, services.Time, _closed.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (_login is null)
        {
            await _closed.CancelAsync();
        }
    }

    /// <summary>Signs in on the first request; later requests must carry the same credentials.</summary>
    private async Task<bool> AuthenticateAsync(RtspRequest request)
    {
        var authorization = request.Header("Authorization");
        if (_login is not null)
        {
            if (RtspAuthenticator.Matches(_login, authorization))
            {
                return true;
            }

            // Another identity on an open connection is not a thing clients do; refuse rather than switch.
            await RespondAsync(request.CSeq, 403, "Forbidden", [("Connection", "close")]);
            return false;
        }

        var outcome = await services.Authenticator.SignInAsync(authorization, source, _closed.Token);
        switch (outcome.Result)
        {
            case RtspAuthResult.Accepted:
                _login = outcome.Login;
                _watch = Task.Run(WatchAsync);
                return true;
            case RtspAuthResult.Throttled:
                var wait = outcome.RetryAt is { } at ? Math.Max(1, (int)Math.Ceiling((at - services.Time.GetUtcNow()).TotalSeconds)) : 1;
                await RespondAsync(request.CSeq, 503, "Service Unavailable", [("Retry-After", wait.ToString(CultureInfo.InvariantCulture)), ("Connection", "close")]);
                await _closed.CancelAsync();
                return false;
            case RtspAuthResult.Forbidden:
                await RespondAsync(request.CSeq, 403, "Forbidden", [("Connection", "close")]);
                await _closed.CancelAsync();
                return false;
            default:
                // The first request of a client usually carries no credentials: it learns the scheme and asks again on
                // this connection. A wrong password closes it, so each guess costs a new TLS handshake as well.
                await RespondAsync(request.CSeq, 401, "Unauthorized",
                    authorization is null ? [("WWW-Authenticate", RtspAuthenticator.Challenge)] : [("WWW-Authenticate", RtspAuthenticator.Challenge), ("Connection", "close")]);
                return false;
        }
    }

    private async Task<bool> DescribeAsync(RtspRequest request)
    {
        if (!RtspSyntax.IsLivePath(request.Uri))
        {
            await RespondAsync(request.CSeq, 404, "Not Found");
            return true;
        }

        if (services.Privacy.Enabled)
        {
            await RespondAsync(request.CSeq, 503, "Service Unavailable", [("Connection", "close")]);
            return false;
        }

        _media ??= await RtspMediaSession.OpenAsync(feed, services.Options.StartTimeout, services.Time, _closed.Token);
        if (_media is null)
        {
            LogNoStream(services.Logger);
            await RespondAsync(request.CSeq, 503, "Service Unavailable", [("Connection", "close")]);
            return false;
        }

        var sdp = SessionDescription.Build(_media.Tracks, _media.FrameRate, _sessionId);
        await RespondAsync(request.CSeq, 200, "OK", [("Content-Base", request.Uri.TrimEnd('/') + "/"), ("Content-Type", "application/sdp")], sdp);
        return true;
    }

    private async Task SetupAsync(RtspRequest request)
    {
        if (_media is null || !_pump.IsCompleted)
        {
            await RespondAsync(request.CSeq, 455, "Method Not Valid in This State");
            return;
        }

        var index = RtspSyntax.TrackIndex(request.Uri);
        if (index is null || index >= _media.Tracks.Count)
        {
            await RespondAsync(request.CSeq, 404, "Not Found");
            return;
        }

        // Interleaved TCP only: the media stays inside the TLS connection. UDP would leave it unencrypted.
        if (RtspSyntax.InterleavedChannel(request.Header("Transport"), (byte)(2 * index.Value)) is not { } channel)
        {
            await RespondAsync(request.CSeq, 461, "Unsupported Transport");
            return;
        }

        if (_media.IsChannelTaken(channel, index.Value))
        {
            await RespondAsync(request.CSeq, 461, "Unsupported Transport");
            return;
        }

        var packetizer = _media.SetUpTrack(index.Value, channel);
        var answer = string.Create(CultureInfo.InvariantCulture,
            $"RTP/AVP/TCP;unicast;interleaved={packetizer.Channel}-{packetizer.Channel + 1};ssrc={packetizer.Ssrc:X8}");
        await RespondAsync(request.CSeq, 200, "OK", [("Transport", answer), .. SessionHeader()]);
    }

    private async Task PlayAsync(RtspRequest request, string? session)
    {
        if (_media is not { SetUp.Count: > 0 } || session is null)
        {
            await RespondAsync(request.CSeq, 455, "Method Not Valid in This State");
            return;
        }

        if (!_pump.IsCompleted)
        {
            await RespondAsync(request.CSeq, 200, "OK", [("Range", "npt=now-"), .. SessionHeader()]);
            return;
        }

        // The same viewer caps as the browser's live view: per session, per account, and in all.
        if (_slot is null && services.Admission.TryAdmit(_login!.Session, out _slot) != AdmissionResult.Admitted)
        {
            await RespondAsync(request.CSeq, 453, "Not Enough Bandwidth");
            return;
        }

        await RespondAsync(request.CSeq, 200, "OK", [("Range", "npt=now-"), ("RTP-Info", _media.RtpInfo(request.Uri)), .. SessionHeader()]);
        var media = _media;
        _pump = Task.Run(async () =>
        {
            try
            {
                await media.PumpAsync(SendAsync, services.Time, _closed.Token);
            }
            catch (FormatException)
            {
                LogBadFragment(services.Logger);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
            {
            }
            finally
            {
                // The feed ended (privacy mode, source gone, new encoding) or the client stopped reading.
                await _closed.CancelAsync();
            }
        });
    }

    /// <summary>Re-checks the session, privacy mode and the RTSPS switch while the connection is open.</summary>
    private async Task WatchAsync()
    {
        using var timer = new PeriodicTimer(services.Media.SessionRecheckInterval, services.Time);
        try
        {
            while (await timer.WaitForNextTickAsync(_closed.Token))
            {
                var reason = !services.Sessions.IsLive(_login!.Session.TokenHash) ? "session ended"
                    : services.Privacy.Enabled ? "privacy mode"
                    : !enabled() ? "RTSPS turned off"
                    : null;
                if (reason is not null)
                {
                    LogEnded(services.Logger, _login.Session.Username, reason);
                    await _closed.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private IEnumerable<(string, string)> SessionHeader() =>
        [("Session", string.Create(CultureInfo.InvariantCulture, $"{_sessionId};timeout={(int)services.Options.SessionTimeout.TotalSeconds}"))];

    private Task RespondAsync(int cseq, int status, string reason, IEnumerable<(string Name, string Value)>? headers = null, string? body = null)
    {
        return SendAsync(RtspSyntax.Answer(cseq, status, reason, headers ?? [], body));
    }

    /// <summary>One whole write at a time (answers and RTP share the stream); a client that stops reading is dropped.</summary>
    private async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        await _write.WaitAsync(_closed.Token);
        try
        {
            using var timeout = new CancellationTokenSource(services.Options.SessionTimeout, services.Time);
            using var both = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _closed.Token);
            await stream.WriteAsync(bytes, both.Token);
            await stream.FlushAsync(both.Token);
        }
        finally
        {
            _write.Release();
        }
    }

    [LoggerMessage(EventId = 7400, Level = LogLevel.Information, Message = "RTSPS stream of {Account} ended: {Reason}.")]
    private static partial void LogEnded(ILogger logger, string account, string reason);

    [LoggerMessage(EventId = 7401, Level = LogLevel.Warning, Message = "RTSPS DESCRIBE refused: the live feed delivered no playable stream in time.")]
    private static partial void LogNoStream(ILogger logger);

    [LoggerMessage(EventId = 7402, Level = LogLevel.Warning, Message = "RTSPS stream ended: the live feed sent a fragment that could not be read.")]
    private static partial void LogBadFragment(ILogger logger);
}
