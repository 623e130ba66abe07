using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Iris.Lab.Web;

/// <summary>How a device met one raw request: an HTTP status, no answer in time, or a connection closed without an answer.</summary>
internal sealed record RawOutcome(int? Status, bool Hung, bool Dropped)
{
    public string Describe() => Status is { } s ? $"HTTP {s}" : Hung ? "no answer (hang)" : "connection dropped without an answer";
}

/// <summary>
/// Sends bytes exactly as given (broken framing included, which HttpClient would refuse to send) over TCP or TLS,
/// and reads back only the status line: one connection per request, so one case cannot disturb the next.
/// </summary>
internal static class RawExchange
{
    /// <summary>Sends <paramref name="request"/>; over TLS when <paramref name="seen"/> is the certificate the TLS probe saw there (the only one accepted).</summary>
    public static async Task<RawOutcome> SendAsync(string host, int port, X509Certificate2? seen, bool tls, byte[] request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var tcp = new TcpClient { NoDelay = true };
        try
        {
            await tcp.ConnectAsync(host, port, deadline.Token);
            Stream stream = tcp.GetStream();
            if (tls)
            {
                // The TLS probe judged the certificate; here the channel must reach the same server.
                var ssl = new SslStream(stream, false, (_, certificate, _, _) => certificate is not null && seen is not null && certificate.GetRawCertData().AsSpan().SequenceEqual(seen.RawData));
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = host }, deadline.Token);
                stream = ssl;
            }

            await using (stream)
            {
                // Read while writing: a server may answer (413, 401) before taking a large body and then reset the
                // connection, and a reset discards an answer not yet read; nor is a write it refused a drop.
                var answer = ReadStatusAsync(stream, deadline.Token);
                try
                {
                    await stream.WriteAsync(request, deadline.Token);
                    await stream.FlushAsync(deadline.Token);
                }
                catch (IOException) when (!answer.IsFaulted)
                {
                }

                return await answer;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new RawOutcome(null, Hung: true, Dropped: false);
        }
        catch (Exception e) when (e is IOException or SocketException or System.Security.Authentication.AuthenticationException)
        {
            return new RawOutcome(null, Hung: false, Dropped: true);
        }
    }

    private static async Task<RawOutcome> ReadStatusAsync(Stream stream, CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        var buffer = new byte[1];
        while (line.Length < 256)
        {
            if (await stream.ReadAsync(buffer, cancellationToken) == 0)
            {
                break;
            }

            if (buffer[0] == '\n')
            {
                var parts = line.ToString().Split(' ', 3);
                return parts.Length >= 2 && parts[0].StartsWith("HTTP/", StringComparison.Ordinal) && int.TryParse(parts[1], out var status)
                    ? new RawOutcome(status, false, false)
                    : new RawOutcome(null, false, true);
            }

            line.Append((char)buffer[0]);
        }

        return new RawOutcome(null, Hung: false, Dropped: true);
    }
}
