using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Iris.Lab.Tls;

/// <summary>Protocol versions as they appear on the wire.</summary>
internal static class TlsVersions
{
    public const ushort Ssl3 = 0x0300;
    public const ushort Tls10 = 0x0301;
    public const ushort Tls11 = 0x0302;
    public const ushort Tls12 = 0x0303;
    public const ushort Tls13 = 0x0304;

    public static readonly IReadOnlyList<ushort> All = [Ssl3, Tls10, Tls11, Tls12, Tls13];

    public static string Name(ushort version) => version switch
    {
        Ssl3 => "SSLv3",
        Tls10 => "TLSv1.0",
        Tls11 => "TLSv1.1",
        Tls12 => "TLSv1.2",
        Tls13 => "TLSv1.3",
        _ => $"0x{version:X4}",
    };
}

/// <summary>Named groups (RFC 8422, RFC 7919, RFC 8446) by code.</summary>
internal static class NamedGroups
{
    public static readonly IReadOnlyDictionary<ushort, string> Names = new Dictionary<ushort, string>
    {
        [19] = "secp192r1", [21] = "secp224r1", [22] = "secp256k1", [23] = "secp256r1", [24] = "secp384r1", [25] = "secp521r1",
        [26] = "brainpoolP256r1", [27] = "brainpoolP384r1", [28] = "brainpoolP512r1", [29] = "x25519", [30] = "x448",
        [256] = "ffdhe2048", [257] = "ffdhe3072", [258] = "ffdhe4096", [259] = "ffdhe6144", [260] = "ffdhe8192",
    };

    /// <summary>Groups SP 800-52r2 / SP 800-56A allow: NIST P-256, P-384, P-521 and the RFC 7919 groups of 2048 bits and more.</summary>
    public static readonly IReadOnlySet<ushort> Approved = new HashSet<ushort> { 23, 24, 25, 256, 257, 258, 259, 260 };

    public const ushort Secp256r1 = 23;

    public static string NameOf(ushort code) => Names.TryGetValue(code, out var name) ? name : $"group 0x{code:X4}";
}

/// <summary>
/// Builds a ClientHello byte by byte, so the lab can offer what no TLS library will: SSL 3.0, export and NULL
/// suites, any group. The probe reads only the server's answer to it (version, suite, group, certificate, key
/// exchange parameters), which is all a server's choice reveals, so no handshake is ever completed.
/// </summary>
internal static class ClientHello
{
    private static readonly ushort[] SignatureSchemes =
    [
        0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0809, 0x080A, 0x080B, 0x0807, 0x0808,
        0x0401, 0x0501, 0x0601, 0x0203, 0x0201, 0x0303, 0x0301, 0x0402, 0x0202,
    ];

    /// <summary>A hello offering <paramref name="version"/> (for TLS 1.3: through supported_versions, with a real P-256 key share).</summary>
    public static byte[] Build(ushort version, IReadOnlyList<ushort> suites, IReadOnlyList<ushort> groups, string host)
    {
        ArgumentNullException.ThrowIfNull(suites);
        ArgumentNullException.ThrowIfNull(groups);
        var tls13 = version == TlsVersions.Tls13;
        var body = new List<byte>();
        Put16(body, tls13 ? TlsVersions.Tls12 : version);
        body.AddRange(RandomNumberGenerator.GetBytes(32));
        var sessionId = tls13 ? RandomNumberGenerator.GetBytes(32) : [];
        body.Add((byte)sessionId.Length);
        body.AddRange(sessionId);
        Put16(body, suites.Count * 2);
        foreach (var suite in suites)
        {
            Put16(body, suite);
        }

        body.Add(1);
        body.Add(0);
        if (version != TlsVersions.Ssl3)
        {
            var extensions = Extensions(tls13, groups, host);
            Put16(body, extensions.Count);
            body.AddRange(extensions);
        }

        var handshake = new List<byte> { 1 };
        Put24(handshake, body.Count);
        handshake.AddRange(body);
        var record = new List<byte> { 0x16 };
        Put16(record, version == TlsVersions.Ssl3 ? TlsVersions.Ssl3 : TlsVersions.Tls10);
        Put16(record, handshake.Count);
        record.AddRange(handshake);
        return [.. record];
    }

    private static List<byte> Extensions(bool tls13, IReadOnlyList<ushort> groups, string host)
    {
        var all = new List<byte>();
        if (!IPAddress.TryParse(host, out _))
        {
            var name = Encoding.ASCII.GetBytes(host);
            var sni = new List<byte>();
            Put16(sni, name.Length + 3);
            sni.Add(0);
            Put16(sni, name.Length);
            sni.AddRange(name);
            Extension(all, 0x0000, sni);
        }

        var groupList = new List<byte>();
        Put16(groupList, groups.Count * 2);
        foreach (var g in groups)
        {
            Put16(groupList, g);
        }

        Extension(all, 0x000A, groupList);
        Extension(all, 0x000B, [1, 0]);
        var schemes = new List<byte>();
        Put16(schemes, SignatureSchemes.Length * 2);
        foreach (var s in SignatureSchemes)
        {
            Put16(schemes, s);
        }

        Extension(all, 0x000D, schemes);
        Extension(all, 0xFF01, [0]);
        if (tls13)
        {
            Extension(all, 0x002B, [2, 0x03, 0x04]);
            var share = new List<byte>();
            if (groups.Contains(NamedGroups.Secp256r1))
            {
                using var ecdh = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
                var point = ecdh.ExportParameters(false).Q;
                var entry = new List<byte>();
                Put16(entry, NamedGroups.Secp256r1);
                Put16(entry, 65);
                entry.Add(4);
                entry.AddRange(point.X!);
                entry.AddRange(point.Y!);
                Put16(share, entry.Count);
                share.AddRange(entry);
            }
            else
            {
                // No share: a server that accepts any offered group answers with a HelloRetryRequest naming it.
                Put16(share, 0);
            }

            Extension(all, 0x0033, share);
        }

        return all;
    }

    private static void Extension(List<byte> all, ushort type, List<byte> data)
    {
        Put16(all, type);
        Put16(all, data.Count);
        all.AddRange(data);
    }

    private static void Put16(List<byte> to, int value)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(b, (ushort)value);
        to.AddRange(b);
    }

    private static void Put24(List<byte> to, int value)
    {
        to.Add((byte)(value >> 16));
        to.Add((byte)(value >> 8));
        to.Add((byte)value);
    }
}
