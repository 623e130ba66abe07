using System.Net;
using System.Net.Sockets;

namespace Iris.Lab.Tests.Support;

/// <summary>A plaintext TCP service that greets every connection with fixed bytes (a telnet daemon's negotiation and login prompt).</summary>
internal sealed class BannerService : IDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();

    public BannerService(byte[] banner)
    {
        listener.Start();
        _ = AcceptAsync(banner);
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>IAC WILL ECHO, IAC WILL SUPPRESS-GO-AHEAD, IAC DO TERMINAL-TYPE, then a login prompt, as telnetd sends.</summary>
    public static BannerService Telnet() => new([0xFF, 0xFB, 0x01, 0xFF, 0xFB, 0x03, 0xFF, 0xFD, 0x18, .. "camera login: "u8]);

    public void Dispose()
    {
        stop.Cancel();
        listener.Stop();
        stop.Dispose();
    }

    private async Task AcceptAsync(byte[] banner)
    {
        try
        {
            while (true)
            {
                using var client = await listener.AcceptTcpClientAsync(stop.Token);
                await client.GetStream().WriteAsync(banner, stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException or IOException)
        {
        }
    }
}
