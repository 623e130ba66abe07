using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Iris.Lab.Auth;

/// <summary>
/// One login attempt on an RTSP service: DESCRIBE without credentials, then again on the same connection with the
/// answer to the challenge it got (Basic or Digest, RFC 2326 / 7826). 200 accepted, 401/403 refused. A stream
/// served without any challenge is "open", which the probe reports apart. Over TLS (RTSPS) when given the
/// certificate the TLS probe saw on the port; an answer that is not RTSP is "not RTSP" (another service in TLS).
/// </summary>
internal static class RtspLogin
{
    /// <summary>One attempt; over TLS when <paramref name="tlsCertificate"/> is given (the only certificate accepted). NotRtsp: the first answer was not RTSP.</summary>
    public static async Task<(LoginOutcome Outcome, bool Open, bool NotRtsp)> TryAsync(string host, int port, X509Certificate2? tlsCertificate, string username, string password, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var tcp = new TcpClient();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cancel.CancelAfter(timeout * 3);
        try
        {
            await tcp.ConnectAsync(host, port, cancel.Token);
            await using Stream stream = tlsCertificate is null ? tcp.GetStream() : new SslStream(tcp.GetStream(), false,
                (_, presented, _, _) => presented is not null && presented.GetRawCertData().AsSpan().SequenceEqual(tlsCertificate.RawData));
            if (stream is SslStream tls)
            {
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = host }, cancel.Token);
            }

            var uri = string.Create(CultureInfo.InvariantCulture, $"{(tlsCertificate is null ? "rtsp" : "rtsps")}://{host}:{port}/");
            var (status, challenges) = await DescribeAsync(stream, uri, 1, null, cancel.Token);
            if (status == 200)
            {
                return (LoginOutcome.Accepted, true, false);
            }

            if (status != 401)
            {
                return (Throttle(status) ? LoginOutcome.Throttled : LoginOutcome.Unexpected, false, status == 0);
            }

            var digest = challenges.Select(DigestChallenge.Parse).FirstOrDefault(c => c is not null);
            string authorization;
            if (digest is not null)
            {
                authorization = digest.Answer(username, password, "DESCRIBE", uri);
            }
            else if (challenges.Any(c => c.StartsWith("Basic", StringComparison.OrdinalIgnoreCase)))
            {
                authorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}"));
            }
            else
            {
                return (LoginOutcome.Unexpected, false, false);
            }

            (status, _) = await DescribeAsync(stream, uri, 2, authorization, cancel.Token);
            return (status switch
            {
                200 => LoginOutcome.Accepted,
                401 or 403 => LoginOutcome.Refused,
                _ when Throttle(status) => LoginOutcome.Throttled,
                _ => LoginOutcome.Unexpected,
            }, false, false);
        }
        catch (Exception e) when (e is SocketException or IOException or System.Security.Authentication.AuthenticationException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return (LoginOutcome.Unexpected, false, false);
        }
    }

    /// <summary>A device that stops answering logins for a while (RTSP has no 429; cameras answer 503 with Retry-After) throttles.</summary>
    private static bool Throttle(int status) => status is 423 or 429 or 503;

    /// <summary>Sends DESCRIBE and reads the answer's head (a body, if any, is not needed): status and WWW-Authenticate values.</summary>
    private static async Task<(int Status, List<string> Challenges)> DescribeAsync(Stream stream, string uri, int cseq, string? authorization, CancellationToken cancellationToken)
    {
        var request = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"DESCRIBE {uri} RTSP/1.0\r\nCSeq: {cseq}\r\nAccept: application/sdp\r\nUser-Agent: iris-lab\r\n"));
        if (authorization is not null)
        {
            request.Append(CultureInfo.InvariantCulture, $"Authorization: {authorization}\r\n");
        }

        await stream.WriteAsync(Encoding.ASCII.GetBytes(request.Append("\r\n").ToString()), cancellationToken);
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && head.Length < 16_384)
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
            {
                break;
            }

            head.Append((char)one[0]);
        }

        var lines = head.ToString().Split("\r\n");
        var parts = lines[0].Split(' ');
        var status = parts.Length >= 2 && parts[0].StartsWith("RTSP/", StringComparison.Ordinal) && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var code) ? code : 0;
        var challenges = lines.Where(l => l.StartsWith("WWW-Authenticate:", StringComparison.OrdinalIgnoreCase)).Select(l => l["WWW-Authenticate:".Length..].Trim()).ToList();
        if (status != 200)
        {
            await SkipBodyAsync(stream, lines, cancellationToken);
        }

        return (status, challenges);
    }

    private static async Task SkipBodyAsync(Stream stream, string[] lines, CancellationToken cancellationToken)
    {
        var length = lines.Where(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            .Select(l => int.TryParse(l["Content-Length:".Length..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0).FirstOrDefault();
        if (length is > 0 and < 65_536)
        {
            await stream.ReadExactlyAsync(new byte[length], cancellationToken);
        }
    }
}
