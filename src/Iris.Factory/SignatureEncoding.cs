using System.Formats.Asn1;
using System.Security.Cryptography;

namespace Iris.Factory;

/// <summary>
/// ECDSA signature formats. A PKCS#11 token answers CKM_ECDSA with r||s, each a fixed-width big-endian number
/// (IEEE P1363); the metadata carries the DER SEQUENCE of two INTEGERs (RFC 3279). DER wants each INTEGER in its
/// minimal two's-complement form: leading zero bytes dropped, and one 0x00 put back when the high bit is set.
/// </summary>
internal static class SignatureEncoding
{
    public static byte[] P1363ToDer(ReadOnlySpan<byte> signature, int fieldLength = 32)
    {
        if (signature.Length != 2 * fieldLength)
        {
            throw new CryptographicException($"The ECDSA signature is {signature.Length} bytes; {2 * fieldLength} expected.");
        }

        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteIntegerUnsigned(Minimal(signature[..fieldLength]));
            writer.WriteIntegerUnsigned(Minimal(signature[fieldLength..]));
        }

        return writer.Encode();
    }

    /// <summary>
    /// The value without its leading zero bytes (one zero byte for zero). WriteIntegerUnsigned refuses a
    /// leading 0x00 the encoding does not need, which a fixed-width field has whenever r or s starts with 0x00
    /// followed by a byte below 0x80 (about one signature in 256).
    /// </summary>
    private static ReadOnlySpan<byte> Minimal(ReadOnlySpan<byte> value)
    {
        var first = value.IndexOfAnyExcept((byte)0);
        return first < 0 ? value[^1..] : value[first..];
    }
}
