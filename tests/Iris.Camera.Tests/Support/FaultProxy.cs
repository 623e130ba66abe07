using System.Net;
using System.Net.Sockets;

namespace Iris.Camera.Tests.Support;

/// <summary>What the network between camera and broker does at the moment.</summary>
public enum FaultMode
{
    /// <summary>Bytes pass both ways.</summary>
    Pass,

    /// <summary>Every connection is reset at once, and new ones are closed as they arrive (broker host down).</summary>
    Drop,

    /// <summary>Connections are accepted and kept, but no byte passes either way (network black-holed).</summary>
    BlackHole,

    /// <summary>Bytes pass, each chunk held back by <see cref="FaultProxy.SlowDelay"/> (a congested link).</summary>
    Slow,

    /// <summary>
    /// A peer that hangs after accepting: new connections are accepted and held open but never read nor answered,
    /// and open ones stop passing bytes; both stay stalled after the mode changes back, as a hung process's do.
    /// </summary>
    Stall,
}

/// <summary>
/// A fault-injecting TCP proxy on loopback in front of a real server: tests switch it between passing, dropping,
/// black-holing and slowing the traffic to show the link notices and recovers by itself (5.6.1.1).
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _open = [];
    private readonly Lock _lock = new();
    private readonly Task _accepting;
    private volatile FaultMode _mode = FaultMode.Pass;

    public FaultProxy(int targetPort)
    {
        _target = targetPort;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    public TimeSpan SlowDelay { get; set; } = TimeSpan.FromMilliseconds(300);

    public int Accepted { get; private set; }

    public FaultMode Mode
    {
        get => _mode;
        set
        {
            _mode = value;
            if (value == FaultMode.Drop)
            {
                CloseAll();
            }
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Accepted++;
            if (_mode == FaultMode.Drop)
            {
                inbound.Client.LingerState = new LingerOption(true, 0);
                inbound.Dispose();
                continue;
            }

            if (_mode == FaultMode.Stall)
            {
                // Held, never read: the sender's bytes fill the socket buffers and nothing comes back.
                lock (_lock)
                {
                    _open.Add(inbound);
                }

                continue;
            }

            _ = RelayAsync(inbound);
        }
    }

    private async Task RelayAsync(TcpClient inbound)
    {
        using var outbound = new TcpClient();
        lock (_lock)
        {
            _open.Add(inbound);
            _open.Add(outbound);
        }

        try
        {
            await outbound.ConnectAsync(IPAddress.Loopback, _target, _stop.Token);
            using var both = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            var up = PumpAsync(inbound.GetStream(), outbound.GetStream(), both.Token);
            var down = PumpAsync(outbound.GetStream(), inbound.GetStream(), both.Token);
            await Task.WhenAny(up, down);
            await both.CancelAsync();
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
            // The connection ended, was dropped by the test, or the broker is not there.
        }
        finally
        {
            inbound.Dispose();
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReadAsync(buffer, cancellationToken);
                if (read == 0)
                {
                    return;
                }

                // A black hole swallows bytes, and keeps doing so for this connection even after the mode changes
                // back: what a real black-holed TCP connection does (its bytes are gone).
                if (_mode is FaultMode.BlackHole or FaultMode.Stall)
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }

                if (_mode == FaultMode.Slow)
                {
                    await Task.Delay(SlowDelay, cancellationToken);
                }

                await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // Closed from either side.
        }
    }

    private void CloseAll()
    {
        lock (_lock)
        {
            foreach (var client in _open)
            {
                try
                {
                    // Disposed clients have no socket any more.
                    client.Client?.LingerState = new LingerOption(true, 0);
                }
                catch (Exception e) when (e is ObjectDisposedException or SocketException)
                {
                    // Already gone.
                }

                client.Dispose();
            }

            _open.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        CloseAll();
        await _accepting;
        _stop.Dispose();
    }
}
