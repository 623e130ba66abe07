using System.Buffers.Binary;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Iris.Camera.Tests.Rtsp;

/// <summary>One RTSP response as a test reads it.</summary>
internal sealed record RtspAnswer(int Status, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? Header(string name) => Headers.GetValueOrDefault(name);
}

/// <summary>
/// A minimal RTSPS client for tests: TLS pinned to the camera's certificate, requests written as given (so tests
/// can send malformed ones), answers parsed, interleaved packets counted.
/// </summary>
internal sealed class RawRtspsClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly SslStream _tls;
    private readonly byte[] _buffer = new byte[256 * 1024];
    private int _start;
    private int _end;
    private int _cseq;

    private RawRtspsClient(TcpClient tcp, SslStream tls, int port)
    {
        _tcp = tcp;
        _tls = tls;
        Url = $"rtsps://127.0.0.1:{port}/live";
    }

    public string Url { get; }

    public string? Authorization { get; set; }

    public string? Session { get; private set; }

    public static async Task<RawRtspsClient> ConnectAsync(int port, X509Certificate2 pinned, CancellationToken cancellationToken)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port, cancellationToken);
        var tls = new SslStream(tcp.GetStream(), false, (_, certificate, _, _) => certificate is not null && certificate.GetRawCertData().AsSpan().SequenceEqual(pinned.RawData));
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, cancellationToken);
        return new RawRtspsClient(tcp, tls, port);
    }

    public static string Basic(string username, string password) =>
        "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}"));

    public async Task<RtspAnswer?> RequestAsync(string method, string? url = null, CancellationToken cancellationToken = default, params string[] headers)
    {
        var text = new StringBuilder(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{method} {url ?? Url} RTSP/1.0\r\nCSeq: {++_cseq}\r\n"));
        if (Authorization is not null)
        {
            text.Append("Authorization: ").Append(Authorization).Append("\r\n");
        }

        if (Session is not null)
        {
            text.Append("Session: ").Append(Session).Append("\r\n");
        }

        foreach (var header in headers)
        {
            text.Append(header).Append("\r\n");
        }

        await SendRawAsync(text.Append("\r\n").ToString(), cancellationToken);
        return await ReadAnswerAsync(cancellationToken);
    }

    /// <summary>DESCRIBE, SETUP of every track in the SDP, PLAY: the client's answers, the last one PLAY's.</summary>
    public async Task<RtspAnswer?> PlayAsync(CancellationToken cancellationToken)
    {
        var describe = await RequestAsync("DESCRIBE", null, cancellationToken, "Accept: application/sdp");
        Assert.Equal(200, describe?.Status);
        var controls = describe!.Body.Split("\r\n").Where(l => l.StartsWith("a=control:trackID=", StringComparison.Ordinal)).ToList();
        for (var i = 0; i < controls.Count; i++)
        {
            var setup = await RequestAsync("SETUP", $"{Url}/{controls[i]["a=control:".Length..]}", cancellationToken, $"Transport: RTP/AVP/TCP;unicast;interleaved={2 * i}-{(2 * i) + 1}");
            Assert.Equal(200, setup?.Status);
            Session = setup!.Header("Session")!.Split(';')[0];
        }

        return await RequestAsync("PLAY", null, cancellationToken, "Range: npt=0.000-");
    }

    public Task SendRawAsync(string text, CancellationToken cancellationToken) => SendRawAsync(Encoding.ASCII.GetBytes(text), cancellationToken);

    public async Task SendRawAsync(byte[] bytes, CancellationToken cancellationToken)
    {
        await _tls.WriteAsync(bytes, cancellationToken);
        await _tls.FlushAsync(cancellationToken);
    }

    /// <summary>The next answer, skipping interleaved packets; null when the server closed the connection.</summary>
    public async Task<RtspAnswer?> ReadAnswerAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (!await EnsureAsync(1, cancellationToken))
            {
                return null;
            }

            if (_buffer[_start] == (byte)'$')
            {
                if (await ReadPacketAsync(cancellationToken) is null)
                {
                    return null;
                }

                continue;
            }

            int end;
            while ((end = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8)) < 0)
            {
                if (!await EnsureAsync(_end - _start + 1, cancellationToken))
                {
                    return null;
                }
            }

            var lines = Encoding.ASCII.GetString(_buffer, _start, end).Split("\r\n");
            _start += end + 4;
            var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0], p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
            var length = int.Parse(headers.GetValueOrDefault("Content-Length", "0"), System.Globalization.CultureInfo.InvariantCulture);
            if (!await EnsureAsync(length, cancellationToken))
            {
                return null;
            }

            var body = Encoding.UTF8.GetString(_buffer, _start, length);
            _start += length;
            return new RtspAnswer(int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), headers, body);
        }
    }

    /// <summary>The next interleaved packet as (channel, payload); null when the server closed the connection.</summary>
    public async Task<(byte Channel, byte[] Payload)?> ReadPacketAsync(CancellationToken cancellationToken)
    {
        if (!await EnsureAsync(4, cancellationToken))
        {
            return null;
        }

        Assert.Equal((byte)'$', _buffer[_start]);
        var channel = _buffer[_start + 1];
        var length = BinaryPrimitives.ReadUInt16BigEndian(_buffer.AsSpan(_start + 2));
        if (!await EnsureAsync(4 + length, cancellationToken))
        {
            return null;
        }

        var payload = _buffer.AsSpan(_start + 4, length).ToArray();
        _start += 4 + length;
        return (channel, payload);
    }

    /// <summary>Reads until the server closes the connection; returns how many packets came before it did.</summary>
    public async Task<int> DrainUntilClosedAsync(CancellationToken cancellationToken)
    {
        var packets = 0;
        try
        {
            while (await ReadPacketAsync(cancellationToken) is not null)
            {
                packets++;
            }
        }
        catch (IOException)
        {
        }

        return packets;
    }

    private async Task<bool> EnsureAsync(int count, CancellationToken cancellationToken)
    {
        while (_end - _start < count)
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            int read;
            try
            {
                read = await _tls.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            }
            catch (IOException)
            {
                return false;
            }

            if (read == 0)
            {
                return false;
            }

            _end += read;
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _tls.DisposeAsync();
        _tcp.Dispose();
    }
}
