using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Iris.Camera.Tests.Support;

/// <summary>One HTTP/2 frame as received: type, flags, stream and payload.</summary>
public sealed record Http2Frame(byte Type, byte Flags, int Stream, byte[] Payload)
{
    public const byte Data = 0, Headers = 1, RstStream = 3, Settings = 4, GoAway = 7;
    public const byte EndStream = 0x1;

    public override string ToString() => $"type {Type} flags 0x{Flags:X2} stream {Stream} ({Payload.Length} bytes)";
}

/// <summary>
/// A minimal HTTP/2 client that shows the frames themselves: HttpClient hides how a stream ended (a DATA frame on a
/// HEAD answer, a reset), which is exactly what some tests must see. One request on stream 1, headers sent as
/// HPACK literals, frames read until the stream ends.
/// </summary>
public static class RawHttp2
{
    public static async Task<IReadOnlyList<Http2Frame>> RequestAsync(Uri baseAddress, X509Certificate2 certificate, string method, string path, CancellationToken cancellationToken)
    {
        using var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(baseAddress.Host, baseAddress.Port, cancellationToken);
        await using var tls = new SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ApplicationProtocols = [SslApplicationProtocol.Http2],
            RemoteCertificateValidationCallback = (_, presented, _, _) =>
                presented is not null && presented.GetRawCertData().AsSpan().SequenceEqual(certificate.RawData),
        }, cancellationToken);
        Assert.Equal(SslApplicationProtocol.Http2, tls.NegotiatedApplicationProtocol);

        var block = new List<byte>();
        Literal(block, 2, method);          // :method (static table index 2)
        block.Add(0x87);                    // :scheme https (indexed, 7)
        Literal(block, 4, path);            // :path (4)
        Literal(block, 1, baseAddress.Authority); // :authority (1)
        var request = new List<byte>(Encoding.ASCII.GetBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
        request.AddRange(Frame(Http2Frame.Settings, 0, 0, []));
        request.AddRange(Frame(Http2Frame.Headers, 0x5, 1, [.. block])); // END_STREAM | END_HEADERS
        await tls.WriteAsync(request.ToArray(), cancellationToken);

        var frames = new List<Http2Frame>();
        var header = new byte[9];
        while (true)
        {
            await tls.ReadExactlyAsync(header, cancellationToken);
            var length = (header[0] << 16) | (header[1] << 8) | header[2];
            var payload = new byte[length];
            await tls.ReadExactlyAsync(payload, cancellationToken);
            var frame = new Http2Frame(header[3], header[4], ((header[5] & 0x7F) << 24) | (header[6] << 16) | (header[7] << 8) | header[8], payload);
            frames.Add(frame);
            if (frame.Type == Http2Frame.GoAway || (frame.Stream == 1 && (frame.Type == Http2Frame.RstStream || (frame.Flags & Http2Frame.EndStream) != 0 && frame.Type is Http2Frame.Data or Http2Frame.Headers)))
            {
                return frames;
            }
        }
    }

    private static byte[] Frame(byte type, byte flags, int stream, byte[] payload) =>
        [(byte)(payload.Length >> 16), (byte)(payload.Length >> 8), (byte)payload.Length, type, flags,
            (byte)(stream >> 24), (byte)(stream >> 16), (byte)(stream >> 8), (byte)stream, .. payload];

    // Literal header field without indexing, name from the static table (RFC 7541 6.2.2), value not Huffman-coded.
    private static void Literal(List<byte> block, int nameIndex, string value)
    {
        block.Add((byte)nameIndex);
        var bytes = Encoding.ASCII.GetBytes(value);
        var length = bytes.Length;
        if (length < 127)
        {
            block.Add((byte)length);
        }
        else
        {
            block.Add(127);
            for (length -= 127; length >= 128; length >>= 7)
            {
                block.Add((byte)((length & 0x7F) | 0x80));
            }

            block.Add((byte)length);
        }

        block.AddRange(bytes);
    }
}
