using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Iris.Lab.Tests.Support;

/// <summary>
/// A tiny telnet login as busybox telnetd + login present it: option negotiation, "login: ", "Password: ", then a
/// root shell prompt for the one pair it knows, or "Login incorrect" and a new prompt.
/// </summary>
internal sealed class TelnetResponder : IDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly string user;
    private readonly string password;

    public TelnetResponder(string user, string password)
    {
        this.user = user;
        this.password = password;
        listener.Start();
        _ = AcceptAsync();
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    public void Dispose()
    {
        stop.Cancel();
        listener.Stop();
        stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await listener.AcceptTcpClientAsync(stop.Token);
                _ = ServeAsync(client);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                await stream.WriteAsync(new byte[] { 0xFF, 0xFB, 0x01, 0xFF, 0xFB, 0x03, 0xFF, 0xFD, 0x18 }, stop.Token);
                while (true)
                {
                    await stream.WriteAsync("\r\ncamera login: "u8.ToArray(), stop.Token);
                    var name = await ReadLineAsync(stream);
                    await stream.WriteAsync("Password: "u8.ToArray(), stop.Token);
                    var secret = await ReadLineAsync(stream);
                    if (name == user && secret == password)
                    {
                        await stream.WriteAsync("\r\nBusyBox v1.35.0 built-in shell (ash)\r\n~ # "u8.ToArray(), stop.Token);
                        await ReadLineAsync(stream);
                        return;
                    }

                    await stream.WriteAsync("\r\nLogin incorrect"u8.ToArray(), stop.Token);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException or IOException or EndOfStreamException)
            {
            }
        }
    }

    /// <summary>A line of text, skipping the client's option answers (IAC + two bytes).</summary>
    private async Task<string> ReadLineAsync(NetworkStream stream)
    {
        var line = new StringBuilder();
        var one = new byte[1];
        while (true)
        {
            if (await stream.ReadAsync(one, stop.Token) == 0)
            {
                throw new EndOfStreamException();
            }

            if (one[0] == 0xFF)
            {
                await stream.ReadExactlyAsync(new byte[2], stop.Token);
                continue;
            }

            if (one[0] == '\n')
            {
                return line.ToString();
            }

            if (one[0] != '\r')
            {
                line.Append((char)one[0]);
            }
        }
    }
}
