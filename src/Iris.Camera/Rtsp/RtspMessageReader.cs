using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Iris.Camera.Rtsp;

/// <summary>A parsed RTSP request. Header names are case-insensitive (RFC 2326 4.2); each appears at most once.</summary>
internal sealed record RtspRequest(string Method, string Uri, int CSeq, IReadOnlyDictionary<string, string> Headers)
{
    public string? Header(string name) => Headers.GetValueOrDefault(name);
}

internal enum RtspMessageKind
{
    Request,

    /// <summary>An interleaved packet from the client ('$' framing; RTCP receiver reports), already skipped.</summary>
    Interleaved,

    /// <summary>The client closed the connection.</summary>
    Closed,

    /// <summary>Not a request we accept; answered 400 and the connection closed.</summary>
    Malformed,
}

internal readonly record struct RtspMessage(RtspMessageKind Kind, RtspRequest? Request = null, int CSeq = -1);

/// <summary>
/// Reads what a client sends on an RTSP connection, within fixed bounds: the request line and headers together at
/// most <see cref="RtspOptions.MaxRequestBytes"/>, at most <see cref="RtspOptions.MaxHeaders"/> header lines, a body of
/// at most <see cref="RtspOptions.MaxBodyBytes"/>, printable ASCII only. Anything else is <see cref="RtspMessageKind.Malformed"/>:
/// the caller answers 400 and closes, so a confused or hostile client cannot keep the parser in an odd state.
/// </summary>
internal sealed class RtspMessageReader(Stream stream, RtspOptions options, TimeProvider time)
{
    private readonly byte[] _buffer = new byte[options.MaxRequestBytes + 4];
    private int _start;
    private int _end;

    /// <summary>
    /// Reads one message: the wait for its first byte is bounded by <see cref="RtspOptions.SessionTimeout"/> (the
    /// client's keep-alive duty), the rest by <see cref="RtspOptions.RequestTimeout"/>, so a client that trickles a
    /// request cannot hold the connection.
    /// </summary>
    public async Task<RtspMessage> ReadAsync(CancellationToken cancellationToken)
    {
        using (var idle = new CancellationTokenSource(options.SessionTimeout, time))
        using (var idleOrClosed = CancellationTokenSource.CreateLinkedTokenSource(idle.Token, cancellationToken))
        {
            if (_end == _start && !await FillAsync(idleOrClosed.Token))
            {
                return new RtspMessage(RtspMessageKind.Closed);
            }
        }

        using var whole = new CancellationTokenSource(options.RequestTimeout, time);
        using var wholeOrClosed = CancellationTokenSource.CreateLinkedTokenSource(whole.Token, cancellationToken);
        return _buffer[_start] == (byte)'$' ? await SkipInterleavedAsync(wholeOrClosed.Token) : await ReadRequestAsync(wholeOrClosed.Token);
    }

    private async Task<RtspMessage> SkipInterleavedAsync(CancellationToken cancellationToken)
    {
        while (_end - _start < 4)
        {
            if (!await FillAsync(cancellationToken))
            {
                return new RtspMessage(RtspMessageKind.Closed);
            }
        }

        var remaining = BinaryPrimitives.ReadUInt16BigEndian(_buffer.AsSpan(_start + 2)) + 4;
        while (remaining > 0)
        {
            if (_end == _start && !await FillAsync(cancellationToken))
            {
                return new RtspMessage(RtspMessageKind.Closed);
            }

            var take = Math.Min(remaining, _end - _start);
            _start += take;
            remaining -= take;
        }

        return new RtspMessage(RtspMessageKind.Interleaved);
    }

    private async Task<RtspMessage> ReadRequestAsync(CancellationToken cancellationToken)
    {
        int headerEnd;
        while ((headerEnd = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (_end - _start >= options.MaxRequestBytes || !await FillAsync(cancellationToken))
            {
                return new RtspMessage(_end - _start >= options.MaxRequestBytes ? RtspMessageKind.Malformed : RtspMessageKind.Closed);
            }
        }

        var head = _buffer.AsSpan(_start, headerEnd);
        _start += headerEnd + 4;
        var request = Parse(head);
        if (request is null)
        {
            return new RtspMessage(RtspMessageKind.Malformed);
        }

        var length = 0;
        if (request.Header("Content-Length") is { } declared &&
            (!int.TryParse(declared, NumberStyles.None, CultureInfo.InvariantCulture, out length) || length > options.MaxBodyBytes))
        {
            return new RtspMessage(RtspMessageKind.Malformed, CSeq: request.CSeq);
        }

        // The body (a keep-alive's parameter list at most) is read and dropped: no method we serve uses one.
        while (length > 0)
        {
            if (_end == _start && !await FillAsync(cancellationToken))
            {
                return new RtspMessage(RtspMessageKind.Closed);
            }

            var take = Math.Min(length, _end - _start);
            _start += take;
            length -= take;
        }

        return new RtspMessage(RtspMessageKind.Request, request, request.CSeq);
    }

    private RtspRequest? Parse(ReadOnlySpan<byte> head)
    {
        foreach (var b in head)
        {
            if (b is (< 0x20 and not (byte)'\r' and not (byte)'\n' and not (byte)'\t') or >= 0x7F)
            {
                return null;
            }
        }

        var lines = Encoding.ASCII.GetString(head).Split("\r\n");
        // A bare CR or LF would let a line smuggle another one into what is echoed back (Content-Base).
        if (lines.Any(l => l.Contains('\r', StringComparison.Ordinal) || l.Contains('\n', StringComparison.Ordinal)))
        {
            return null;
        }

        var requestLine = lines[0].Split(' ');
        if (requestLine is not [var method, var uri, "RTSP/1.0"] || method.Length is 0 or > 32 || !method.All(c => char.IsAsciiLetterUpper(c) || c == '_') || uri.Length == 0)
        {
            return null;
        }

        if (lines.Length - 1 > options.MaxHeaders)
        {
            return null;
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !line.AsSpan(0, colon).ToString().All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') ||
                !headers.TryAdd(line[..colon], line[(colon + 1)..].Trim()))
            {
                return null;
            }
        }

        return headers.TryGetValue("CSeq", out var cseq) && int.TryParse(cseq, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
            ? new RtspRequest(method, uri, sequence, headers)
            : null;
    }

    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            return false;
        }

        var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
        _end += read;
        return read > 0;
    }
}
