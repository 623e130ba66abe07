using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Iris.Camera.Tests.Support;

/// <summary>One HTTP/1.1 answer as it came off the wire.</summary>
public sealed record RawResponse(int Status, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body)
{
    public string? Header(string name)
    {
        var values = Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).ToList();
        return values.Count == 0 ? null : string.Join(", ", values);
    }

    public string BodyText => Encoding.UTF8.GetString(Body);
}

/// <summary>
/// Sends bytes exactly as given over TLS (HTTP/1.1 by ALPN) to the camera under test, pinned to its certificate,
/// and reads one answer. HttpClient cannot send what the fuzzer needs: bad chunk framing, duplicated Host and
/// Content-Length, raw paths, oversized request lines.
/// </summary>
public sealed class RawHttps : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly SslStream _tls;
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    private RawHttps(TcpClient tcp, SslStream tls)
    {
        _tcp = tcp;
        _tls = tls;
    }

    public static async Task<RawHttps> ConnectAsync(Uri baseAddress, X509Certificate2 certificate, CancellationToken cancellationToken)
    {
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            await tcp.ConnectAsync(baseAddress.Host, baseAddress.Port, cancellationToken);
            var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                ApplicationProtocols = [SslApplicationProtocol.Http11],
                RemoteCertificateValidationCallback = (_, presented, _, _) =>
                    presented is not null && presented.GetRawCertData().AsSpan().SequenceEqual(certificate.RawData),
            }, cancellationToken);
            return new RawHttps(tcp, tls);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>Sends the request on a new connection and reads one answer; null when the server closed without one.</summary>
    /// <param name="readSuccessBody">False to stop after the headers of a 1xx-3xx answer (a live stream never ends).</param>
    public static async Task<RawResponse?> SendAsync(Uri baseAddress, X509Certificate2 certificate, byte[] request, bool isHead, CancellationToken cancellationToken, bool readSuccessBody = true)
    {
        await using var connection = await ConnectAsync(baseAddress, certificate, cancellationToken);
        await connection.WriteAsync(request, cancellationToken);
        return await connection.ReadResponseAsync(isHead, cancellationToken, readSuccessBody);
    }

    public async Task WriteAsync(byte[] request, CancellationToken cancellationToken)
    {
        try
        {
            await _tls.WriteAsync(request, cancellationToken);
            await _tls.FlushAsync(cancellationToken);
        }
        catch (IOException)
        {
            // The server may answer and close before it has read everything (a body it refuses unread): the
            // answer is still there to read.
        }
    }

    /// <summary>Reads one answer (skipping 1xx); null when the connection ended before a status line arrived.</summary>
    public async Task<RawResponse?> ReadResponseAsync(bool isHead, CancellationToken cancellationToken, bool readSuccessBody = true)
    {
        while (true)
        {
            var statusLine = await ReadLineAsync(cancellationToken);
            if (statusLine is null)
            {
                return null;
            }

            var status = int.Parse(statusLine.Split(' ', 3)[1], System.Globalization.CultureInfo.InvariantCulture);
            var headers = new List<KeyValuePair<string, string>>();
            for (var line = await ReadLineAsync(cancellationToken); !string.IsNullOrEmpty(line); line = await ReadLineAsync(cancellationToken))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                headers.Add(new(line[..colon].Trim(), line[(colon + 1)..].Trim()));
            }

            if (status < 200)
            {
                continue;
            }

            var response = new RawResponse(status, headers, []);
            if (isHead || status is 204 or 304 || (status < 400 && !readSuccessBody))
            {
                return response;
            }

            if (response.Header("Transfer-Encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true)
            {
                return response with { Body = await ReadChunkedAsync(cancellationToken) };
            }

            if (response.Header("Content-Length") is { } length)
            {
                return response with { Body = await ReadExactlyAsync(int.Parse(length, System.Globalization.CultureInfo.InvariantCulture), cancellationToken) };
            }

            return response with { Body = await ReadToEndAsync(cancellationToken) };
        }
    }

    /// <summary>True when the server has closed the connection (reading gives end of stream).</summary>
    public async Task<bool> IsClosedByServerAsync(CancellationToken cancellationToken)
    {
        if (_start < _end)
        {
            return false;
        }

        try
        {
            return await _tls.ReadAsync(_buffer, cancellationToken) == 0;
        }
        catch (IOException)
        {
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _tls.DisposeAsync();
        _tcp.Dispose();
    }

    private async Task<byte[]> ReadChunkedAsync(CancellationToken cancellationToken)
    {
        var body = new MemoryStream();
        while (true)
        {
            var sizeLine = await ReadLineAsync(cancellationToken) ?? throw new IOException("The answer ended inside a chunk.");
            var size = Convert.ToInt32(sizeLine.Split(';')[0].Trim(), 16);
            if (size == 0)
            {
                while (!string.IsNullOrEmpty(await ReadLineAsync(cancellationToken)))
                {
                }

                return body.ToArray();
            }

            body.Write(await ReadExactlyAsync(size, cancellationToken));
            await ReadLineAsync(cancellationToken);
        }
    }

    private async Task<byte[]> ReadExactlyAsync(int count, CancellationToken cancellationToken)
    {
        var result = new byte[count];
        var filled = 0;
        while (filled < count)
        {
            if (_start == _end && !await FillAsync(cancellationToken))
            {
                throw new IOException($"The answer ended after {filled} of {count} body bytes.");
            }

            var take = Math.Min(count - filled, _end - _start);
            Array.Copy(_buffer, _start, result, filled, take);
            _start += take;
            filled += take;
        }

        return result;
    }

    private async Task<byte[]> ReadToEndAsync(CancellationToken cancellationToken)
    {
        var body = new MemoryStream();
        do
        {
            body.Write(_buffer, _start, _end - _start);
            _start = _end;
        }
        while (await FillAsync(cancellationToken));

        return body.ToArray();
    }

    private async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        while (true)
        {
            if (_start == _end && !await FillAsync(cancellationToken))
            {
                return line.Length == 0 ? null : line.ToString();
            }

            var c = (char)_buffer[_start++];
            if (c == '\n')
            {
                return line.ToString().TrimEnd('\r');
            }

            line.Append(c);
        }
    }

    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        try
        {
            _start = 0;
            _end = await _tls.ReadAsync(_buffer, cancellationToken);
            return _end > 0;
        }
        catch (IOException)
        {
            _end = 0;
            return false;
        }
    }
}
