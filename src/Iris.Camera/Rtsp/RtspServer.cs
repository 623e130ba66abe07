using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Iris.Camera.Identity;
using Iris.Camera.Media;
using Iris.Camera.Platform;
using Iris.Camera.Storage;
using Iris.Camera.Web;

namespace Iris.Camera.Rtsp;

public enum RtspSwitchResult
{
    Done,

    /// <summary>The port could not be opened (in use, or not permitted).</summary>
    PortUnavailable,
}

/// <summary>
/// The RTSPS listener (RTSP 1.0 over TLS). It listens only while an administrator has turned it on (stored, so it
/// stays on after a restart). It sends the daemon's one encoded live feed, which every build has: an encoder that
/// cannot start is a fault at run time (DESCRIBE answers 503, the video settings say why), not a build without
/// RTSPS. Every connection goes through the same admission as HTTPS (<see cref="ConnectionGate"/>, counted in the same budget) and the same TLS policy, handshake
/// timeout and device certificate; nothing is ever read or answered before the handshake, so plaintext RTSP gets
/// no answer.
/// </summary>
internal sealed partial class RtspServer(
    RtspOptions options, HttpsOptions https, ConnectionGate gate, CameraDatabase database, ILiveMediaFeed feed,
    IServiceProvider services, TimeProvider time, ILogger<RtspServer> logger) : IHostedService, IDisposable
{
    public const string SettingKey = "rtsp.enabled";

    private readonly Lock _lock = new();
    private TcpListener? _listener;
    private CancellationTokenSource? _running;

    /// <summary>Whether the administrator turned RTSPS on (the stored choice).</summary>
    public bool IsTurnedOn => database.GetSetting(SettingKey) == "true";

    /// <summary>Whether the listener is open now.</summary>
    public bool IsListening
    {
        get
        {
            lock (_lock)
            {
                return _listener is not null;
            }
        }
    }

    /// <summary>The bound address while listening (the port, when configured as 0).</summary>
    public IPEndPoint? LocalEndpoint
    {
        get
        {
            lock (_lock)
            {
                return _listener?.LocalEndpoint as IPEndPoint;
            }
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (IsTurnedOn && Start() != RtspSwitchResult.Done)
        {
            LogPortUnavailable(logger, options.Listen);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Stop();
        return Task.CompletedTask;
    }

    /// <summary>Turns RTSPS on or off and stores the choice; turning it off ends every open RTSPS connection.</summary>
    public RtspSwitchResult Switch(bool on)
    {
        if (on)
        {
            var started = Start();
            if (started != RtspSwitchResult.Done)
            {
                return started;
            }
        }
        else
        {
            Stop();
        }

        database.SetSetting(SettingKey, on ? "true" : "false", time.GetUtcNow());
        return RtspSwitchResult.Done;
    }

    private RtspSwitchResult Start()
    {
        lock (_lock)
        {
            if (_listener is not null)
            {
                return RtspSwitchResult.Done;
            }

            var listener = new TcpListener(options.ParseListen());
            try
            {
                listener.Start();
            }
            catch (SocketException)
            {
                listener.Dispose();
                return RtspSwitchResult.PortUnavailable;
            }

            _listener = listener;
            _running = new CancellationTokenSource();
            _ = AcceptAsync(listener, _running.Token);
            LogListening(logger, listener.LocalEndpoint);
            return RtspSwitchResult.Done;
        }
    }

    private void Stop()
    {
        lock (_lock)
        {
            _running?.Cancel();
            _running?.Dispose();
            _running = null;
            _listener?.Dispose();
            _listener = null;
        }
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        // The TLS options are built at the first listen, after the modules opened the identity (a factory reset
        // replaces it before then); RTSP negotiates no ALPN protocol.
        var tls = TlsPolicy.CreateServerOptions(services.GetRequiredService<DeviceIdentity>().Certificate,
            LaunchEnvironment.IsOpenSslProfileApplied, services.GetRequiredService<DeviceIdentity>().Chain);
        var connectionServices = services.GetRequiredService<RtspConnectionServices>();
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptSocketAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = ServeAsync(socket, tls, connectionServices, cancellationToken);
        }
    }

    private async Task ServeAsync(Socket socket, Func<SslServerAuthenticationOptions> tls, RtspConnectionServices connectionServices, CancellationToken cancellationToken)
    {
        var remote = (socket.RemoteEndPoint as IPEndPoint)?.Address;
        using var lease = gate.TryAdmit(remote);
        if (lease is null)
        {
            socket.Dispose();
            return;
        }

        socket.NoDelay = true;
        await using var tlsStream = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        try
        {
            using (var handshake = new CancellationTokenSource(https.HandshakeTimeout, time))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(handshake.Token, cancellationToken))
            {
                var serverOptions = tls();
                serverOptions.ApplicationProtocols = null;
                await tlsStream.AuthenticateAsServerAsync(serverOptions, linked.Token);
            }

            using var connection = new RtspConnection(tlsStream, ClientAddress.Key(remote), feed, () => IsListening, connectionServices, cancellationToken);
            await connection.RunAsync();
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // A failed or abandoned handshake (plaintext RTSP among them) or a dropped connection: nothing to answer.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // One connection's fault must not end the listener; it is logged without its message.
            LogConnectionFault(logger, ex.GetType().Name);
        }
    }

    public void Dispose() => Stop();

    [LoggerMessage(EventId = 7410, Level = LogLevel.Information, Message = "RTSPS listening on {Endpoint}.")]
    private static partial void LogListening(ILogger logger, EndPoint endpoint);


    [LoggerMessage(EventId = 7412, Level = LogLevel.Warning, Message = "RTSPS is turned on but {Endpoint} could not be opened; it stays closed.")]
    private static partial void LogPortUnavailable(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 7413, Level = LogLevel.Error, Message = "An RTSPS connection failed unexpectedly ({Fault}); the listener continues.")]
    private static partial void LogConnectionFault(ILogger logger, string fault);
}
