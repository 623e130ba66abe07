using System.Buffers.Binary;
using System.Numerics;

namespace Iris.Lab.Tls;

/// <summary>What a server answered to one ClientHello: the version, suite and group it chose, the DH prime size and
/// certificates it sent (TLS 1.2 and older send them in clear), or the alert with which it refused.</summary>
internal sealed record ServerAnswer
{
    public bool NotTls { get; init; }

    public ushort? Version { get; init; }

    public ushort? Suite { get; init; }

    /// <summary>The ECDHE group (ServerKeyExchange) or TLS 1.3 key-share group (ServerHello or HelloRetryRequest).</summary>
    public ushort? Group { get; init; }

    /// <summary>Size of the DHE prime in bits, from a TLS 1.2-and-older ServerKeyExchange.</summary>
    public int? DhBits { get; init; }

    public IReadOnlyList<byte[]> Certificates { get; init; } = [];

    public byte? Alert { get; init; }

    public bool Accepted(ushort version) => Version == version && Suite is not null;

    /// <summary>Reads the server's first flight from its records; stops at ServerHelloDone, a TLS 1.3 ServerHello, an alert or the end.</summary>
    public static async Task<ServerAnswer> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var handshake = new List<byte>();
        var answer = new ServerAnswer();
        var header = new byte[5];
        while (true)
        {
            if (!await ReadExactlyOrEndAsync(stream, header, cancellationToken))
            {
                return answer;
            }

            var type = header[0];
            if (type is not (20 or 21 or 22 or 23) || header[1] != 3)
            {
                return answer.Version is null ? answer with { NotTls = true } : answer;
            }

            var payload = new byte[BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(3))];
            if (payload.Length > 18432 || !await ReadExactlyOrEndAsync(stream, payload, cancellationToken))
            {
                return answer;
            }

            if (type == 21)
            {
                return answer with { Alert = payload.Length >= 2 ? payload[1] : (byte)0 };
            }

            if (type != 22)
            {
                return answer;
            }

            handshake.AddRange(payload);
            while (handshake.Count >= 4)
            {
                var length = (handshake[1] << 16) | (handshake[2] << 8) | handshake[3];
                if (handshake.Count < 4 + length)
                {
                    break;
                }

                var message = handshake.GetRange(4, length).ToArray();
                var kind = handshake[0];
                handshake.RemoveRange(0, 4 + length);
                switch (kind)
                {
                    case 2:
                        answer = ParseServerHello(message, answer);
                        if (answer.Version == TlsVersions.Tls13)
                        {
                            return answer;
                        }

                        break;
                    case 11:
                        answer = answer with { Certificates = ParseCertificates(message) };
                        break;
                    case 12:
                        answer = ParseKeyExchange(message, answer);
                        break;
                    case 14:
                        return answer;
                    default:
                        break;
                }
            }
        }
    }

    private static ServerAnswer ParseServerHello(byte[] m, ServerAnswer answer)
    {
        var version = BinaryPrimitives.ReadUInt16BigEndian(m);
        var at = 34 + 1 + m[34];
        var suite = BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(at));
        at += 3;
        ushort? group = null;
        if (at + 2 <= m.Length)
        {
            var end = at + 2 + BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(at));
            at += 2;
            while (at + 4 <= end && end <= m.Length)
            {
                var type = BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(at));
                var length = BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(at + 2));
                var data = m.AsSpan(at + 4, length);
                if (type == 0x002B && length >= 2)
                {
                    version = BinaryPrimitives.ReadUInt16BigEndian(data);
                }
                else if (type == 0x0033 && length >= 2)
                {
                    // A ServerHello's key share and a HelloRetryRequest's both start with the group the server chose.
                    group = BinaryPrimitives.ReadUInt16BigEndian(data);
                }

                at += 4 + length;
            }
        }

        return answer with { Version = version, Suite = suite, Group = group ?? answer.Group };
    }

    private static List<byte[]> ParseCertificates(byte[] m)
    {
        var list = new List<byte[]>();
        var at = 3;
        while (at + 3 <= m.Length)
        {
            var length = (m[at] << 16) | (m[at + 1] << 8) | m[at + 2];
            if (at + 3 + length > m.Length)
            {
                break;
            }

            list.Add(m.AsSpan(at + 3, length).ToArray());
            at += 3 + length;
        }

        return list;
    }

    private static ServerAnswer ParseKeyExchange(byte[] m, ServerAnswer answer)
    {
        if (answer.Suite is not { } suite)
        {
            return answer;
        }

        var name = CipherSuites.NameOf(suite);
        if (name.StartsWith("TLS_ECDHE_", StringComparison.Ordinal) && !name.Contains("PSK", StringComparison.Ordinal) && m.Length >= 3 && m[0] == 3)
        {
            return answer with { Group = BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(1)) };
        }

        if (name.StartsWith("TLS_DHE_", StringComparison.Ordinal) && !name.Contains("PSK", StringComparison.Ordinal) && m.Length >= 2)
        {
            var length = BinaryPrimitives.ReadUInt16BigEndian(m);
            if (2 + length <= m.Length)
            {
                var prime = new BigInteger(m.AsSpan(2, length), isUnsigned: true, isBigEndian: true);
                return answer with { DhBits = (int)prime.GetBitLength() };
            }
        }

        return answer;
    }

    private static async Task<bool> ReadExactlyOrEndAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken);
            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return true;
    }
}
