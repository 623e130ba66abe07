using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Iris.Lab.Tests.Support;

/// <summary>
/// A tiny RTSP server as cheap cameras run one: OPTIONS answered to anyone, DESCRIBE only with HTTP Basic for the
/// one pair it knows (401 with a Basic challenge otherwise), or to anyone when <c>open</c>; inside TLS (RTSPS) when given a certificate.
/// </summary>
internal sealed class RtspResponder : IDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly string? expected;
    private readonly X509Certificate2? certificate;

    public RtspResponder(string? user, string? password, X509Certificate2? certificate = null)
    {
        this.certificate = certificate;
        expected = user is null ? null : "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
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
                Stream stream = client.GetStream();
                if (certificate is not null)
                {
                    var tls = new SslStream(stream);
                    await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, stop.Token);
                    stream = tls;
                }

                await using var _ = stream;
                using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
                while (true)
                {
                    var lines = new List<string>();
                    for (var line = await reader.ReadLineAsync(stop.Token); !string.IsNullOrEmpty(line); line = await reader.ReadLineAsync(stop.Token))
                    {
                        lines.Add(line);
                    }

                    if (lines.Count == 0)
                    {
                        return;
                    }

                    var cseq = lines.FirstOrDefault(l => l.StartsWith("CSeq:", StringComparison.OrdinalIgnoreCase)) ?? "CSeq: 0";
                    var authorization = lines.FirstOrDefault(l => l.StartsWith("Authorization:", StringComparison.OrdinalIgnoreCase))?["Authorization:".Length..].Trim();
                    string answer;
                    if (lines[0].StartsWith("OPTIONS", StringComparison.Ordinal))
                    {
                        answer = $"RTSP/1.0 200 OK\r\n{cseq}\r\nPublic: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN\r\n\r\n";
                    }
                    else if (expected is null || authorization == expected)
                    {
                        const string sdp = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=camera\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n";
                        answer = $"RTSP/1.0 200 OK\r\n{cseq}\r\nContent-Type: application/sdp\r\nContent-Length: {sdp.Length}\r\n\r\n{sdp}";
                    }
                    else
                    {
                        answer = $"RTSP/1.0 401 Unauthorized\r\n{cseq}\r\nWWW-Authenticate: Basic realm=\"camera\"\r\n\r\n";
                    }

                    await stream.WriteAsync(Encoding.ASCII.GetBytes(answer), stop.Token);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException or IOException or System.Security.Authentication.AuthenticationException)
            {
            }
        }
    }
}
