using System.Net.Sockets;
using System.Text;
using Iris.Lab.Tls;

namespace Iris.Lab.Network;

/// <summary>
/// Tells what answers on an open port, the way nmap's service probes do, in a fixed order on fresh connections:
/// a banner the server sends first (SSH, telnet negotiation, FTP/SMTP greetings) or a TLS ClientHello (asked
/// side by side), then an HTTP request, an RTSP OPTIONS and an MQTT CONNECT. Anything that answers in clear is plaintext.
/// </summary>
internal static class ServiceIdentifier
{
    private static readonly byte[] HttpRequest = Encoding.ASCII.GetBytes("GET / HTTP/1.0\r\nUser-Agent: iris-lab\r\n\r\n");
    private static readonly byte[] RtspRequest = Encoding.ASCII.GetBytes("OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: iris-lab\r\n\r\n");

    // MQTT 3.1.1 CONNECT, clean session, keep-alive 60 s, client id "iris-lab".
    private static readonly byte[] MqttConnect = [0x10, 0x14, 0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x04, 0x02, 0x00, 0x3C,
        0x00, 0x08, (byte)'i', (byte)'r', (byte)'i', (byte)'s', (byte)'-', (byte)'l', (byte)'a', (byte)'b'];

    public static async Task<ServiceObservation> IdentifyAsync(string host, int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        // Servers that speak first do so at once; half the timeout keeps a full scan of quiet ports short. The TLS
        // hello goes out meanwhile on its own connection: a server that speaks first sends its banner there too,
        // before any answer to the hello, so a TLS record in reply means nothing was waiting to be said.
        using var bannerWait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var listening = ExchangeAsync(host, port, null, timeout / 2, bannerWait.Token);
        var tls = await ExchangeAsync(host, port, ClientHello.Build(TlsVersions.Tls12, CipherSuites.Legacy, [.. NamedGroups.Names.Keys], host), timeout, cancellationToken);
        if (tls.Length >= 3 && tls[0] is 0x15 or 0x16 && tls[1] == 3)
        {
            await bannerWait.CancelAsync();
            await ((Task)listening).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            return new ServiceObservation(port, "tls", false, "TLS record");
        }

        var banner = await listening;
        if (banner.Length > 0)
        {
            return FromBanner(port, banner);
        }

        var http = await ExchangeAsync(host, port, HttpRequest, timeout, cancellationToken);
        var rtsp = await ExchangeAsync(host, port, RtspRequest, timeout, cancellationToken);
        // RTSP servers that tunnel RTSP over HTTP (GStreamer's, many cameras') answer HTTP too: RTSP is what they serve.
        if (StartsWith(http, "HTTP/") && !StartsWith(rtsp, "RTSP/"))
        {
            return new ServiceObservation(port, RedirectsToHttps(http) ? "http-redirect" : "http", true, FirstLine(http));
        }

        if (StartsWith(rtsp, "RTSP/"))
        {
            return new ServiceObservation(port, "rtsp", true, FirstLine(rtsp));
        }

        var mqtt = await ExchangeAsync(host, port, MqttConnect, timeout, cancellationToken);
        if (mqtt.Length >= 4 && mqtt[0] == 0x20 && mqtt[1] == 0x02)
        {
            return new ServiceObservation(port, "mqtt", true, $"MQTT CONNACK return code {mqtt[3]}");
        }

        return new ServiceObservation(port, "unknown", false, "no answer to banner, TLS, HTTP, RTSP or MQTT probes");
    }

    private static ServiceObservation FromBanner(int port, byte[] banner)
    {
        if (banner[0] == 0xFF && banner.Length > 1 && banner[1] is >= 0xFB and <= 0xFE)
        {
            return new ServiceObservation(port, "telnet", true, "telnet option negotiation" + Printable(banner));
        }

        if (StartsWith(banner, "SSH-"))
        {
            return new ServiceObservation(port, "ssh", false, FirstLine(banner));
        }

        if (StartsWith(banner, "220") && Encoding.ASCII.GetString(banner).Contains("FTP", StringComparison.OrdinalIgnoreCase))
        {
            return new ServiceObservation(port, "ftp", true, FirstLine(banner));
        }

        var text = Encoding.ASCII.GetString(banner);
        var login = text.Contains("login", StringComparison.OrdinalIgnoreCase) || text.Contains("password", StringComparison.OrdinalIgnoreCase);
        return new ServiceObservation(port, login ? "telnet" : "banner", true, FirstLine(banner));
    }

    private static bool RedirectsToHttps(byte[] response)
    {
        var text = Encoding.ASCII.GetString(response);
        var status = FirstLine(response);
        return (status.Contains(" 301", StringComparison.Ordinal) || status.Contains(" 302", StringComparison.Ordinal)
                || status.Contains(" 307", StringComparison.Ordinal) || status.Contains(" 308", StringComparison.Ordinal))
            && text.Contains("\nLocation: https://", StringComparison.OrdinalIgnoreCase);
    }

    private static bool StartsWith(byte[] data, string prefix) =>
        data.Length >= prefix.Length && Encoding.ASCII.GetString(data, 0, prefix.Length) == prefix;

    private static string FirstLine(byte[] data)
    {
        var text = Encoding.ASCII.GetString(data);
        var end = text.IndexOfAny(['\r', '\n']);
        var line = end < 0 ? text : text[..end];
        return new string([.. line.Take(120).Select(c => c is >= ' ' and < (char)127 ? c : '.')]);
    }

    private static string Printable(byte[] data)
    {
        var text = new string([.. data.Where(b => b is >= 0x20 and < 0x7F).Take(80).Select(b => (char)b)]).Trim();
        return text.Length == 0 ? "" : $": {text}";
    }

    /// <summary>A TLS record header, an MQTT CONNACK, or the end of an HTTP/RTSP header block.</summary>
    private static bool Complete(ReadOnlySpan<byte> data) =>
        (data.Length >= 5 && data[0] is 0x15 or 0x16) || (data.Length >= 4 && data[0] == 0x20) || data.IndexOf("\r\n\r\n"u8) >= 0;

    /// <summary>Connects, optionally sends, and returns what arrives before the timeout (or the server closes).</summary>
    private static async Task<byte[]> ExchangeAsync(string host, int port, byte[]? send, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var received = new MemoryStream();
        try
        {
            await client.ConnectAsync(host, port, deadline.Token);
            var stream = client.GetStream();
            if (send is not null)
            {
                await stream.WriteAsync(send, deadline.Token);
            }

            var buffer = new byte[2048];
            while (received.Length < 4096)
            {
                var n = await stream.ReadAsync(buffer, deadline.Token);
                if (n == 0)
                {
                    break;
                }

                received.Write(buffer, 0, n);
                if (send is null || Complete(received.GetBuffer().AsSpan(0, (int)received.Length)))
                {
                    // Enough to tell the protocol; a banner service would keep the line open waiting for a login.
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
        }

        return received.ToArray();
    }
}
