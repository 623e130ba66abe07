using System.Collections.Concurrent;
using System.Net.Sockets;

namespace Iris.Lab.Network;

/// <summary>
/// A TCP connect scan with a bound on connections in flight, so a scan of all 65535 ports neither exhausts the
/// lab's file descriptors nor floods a small camera (its connection gate would then hide ports behind refusals).
/// </summary>
internal static class PortScanner
{
    public const int DefaultConcurrency = 200;

    public static async Task<IReadOnlyList<int>> OpenPortsAsync(string host, IReadOnlyList<int> ports, TimeSpan timeout, int concurrency, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ports);
        var open = new ConcurrentBag<int>();
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, concurrency), CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(ports, options, async (port, token) =>
        {
            if (await IsOpenAsync(host, port, timeout, token))
            {
                open.Add(port);
            }
        });
        return [.. open.Order()];
    }

    private static async Task<bool> IsOpenAsync(string host, int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await client.ConnectAsync(host, port, deadline.Token);
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.TimedOut)
        {
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Filtered: nothing answered within the timeout.
            return false;
        }
    }
}
