using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using Iris.Factory;

namespace Iris.Camera.Tests.Updates;

/// <summary>
/// A PKCS#11 token signs with r||s; the metadata carries DER (issue 11, point 18). The conversion used to fail for
/// about one signature in 256 (r or s starting with 0x00 then a byte below 0x80); now every signature converts
/// to DER that .NET verifies, whatever its leading bytes. A software key's r||s goes through the same converter
/// as the token's: Pkcs11Signer is not loaded in this process, whose vault tests load SoftHSM2 through the
/// camera's own copy of the module loader (FactoryCliTests signs with a token through the real CLI).
/// </summary>
public sealed class FactorySignatureTests
{
    [Fact]
    public void EverySignature_ConvertsToDer_ThatVerifies_IncludingShortAndHighBitValues()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var hash = SHA256.HashData("iris metadata"u8);
        int signatures = 0, shortBelow80 = 0, twoZeros = 0, highBit = 0;
        // At least 2,000 signatures, and on until each hard case has been met in a real signature (a leading
        // 0x00 0x00 comes about once in 32,768 signatures); the cap only stops a broken random source.
        while ((signatures < 2000 || shortBelow80 < 3 || twoZeros < 1 || highBit < 3) && signatures < 2_000_000)
        {
            var raw = key.SignHash(hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            signatures++;
            var cases = Classify(raw);
            shortBelow80 += cases.ShortBelow80;
            twoZeros += cases.TwoZeros;
            highBit += cases.HighBit;
            if (signatures > 2000 && cases.ShortBelow80 == 0)
            {
                continue;
            }

            var der = SignatureEncoding.P1363ToDer(raw);
            Assert.True(key.VerifyHash(hash, der, DSASignatureFormat.Rfc3279DerSequence), $"signature {signatures} ({Convert.ToHexString(raw)}) did not verify as DER");
            AssertMinimalDer(raw, der);
        }

        Assert.True(twoZeros >= 1 && shortBelow80 >= 3 && highBit >= 3, $"after {signatures} signatures: {shortBelow80} short, {twoZeros} two-zero, {highBit} high-bit values");
    }

    [Theory]
    [InlineData("007F", "01")]
    [InlineData("0000", "7F")]
    [InlineData("80", "FF")]
    [InlineData("0080", "0000")]
    [InlineData("00", "00")]
    public void ForcedLeadingBytes_BecomeMinimalDerIntegers(string rPrefix, string sPrefix)
    {
        var r = Field(rPrefix);
        var s = Field(sPrefix);

        var der = SignatureEncoding.P1363ToDer([.. r, .. s]);

        AssertMinimalDer([.. r, .. s], der);
    }

    private static (int ShortBelow80, int TwoZeros, int HighBit) Classify(byte[] raw)
    {
        var result = (ShortBelow80: 0, TwoZeros: 0, HighBit: 0);
        foreach (var value in new[] { raw.AsSpan(0, 32).ToArray(), raw.AsSpan(32).ToArray() })
        {
            result.ShortBelow80 += value[0] == 0 && value[1] < 0x80 ? 1 : 0;
            result.TwoZeros += value[0] == 0 && value[1] == 0 ? 1 : 0;
            result.HighBit += value[0] >= 0x80 ? 1 : 0;
        }

        return result;
    }

    /// <summary>The DER holds r and s as the same numbers, each in the shortest form DER allows (a strict reader refuses any other).</summary>
    private static void AssertMinimalDer(byte[] raw, byte[] der)
    {
        var reader = new AsnReader(der, AsnEncodingRules.DER);
        var sequence = reader.ReadSequence();
        foreach (var field in new[] { raw[..32], raw[32..] })
        {
            var encoded = sequence.ReadIntegerBytes().ToArray();
            var value = new BigInteger(field, isUnsigned: true, isBigEndian: true);
            Assert.Equal(value, new BigInteger(encoded, isUnsigned: false, isBigEndian: true));
            Assert.Equal(value.GetByteCount(isUnsigned: false), encoded.Length);
        }

        Assert.False(sequence.HasData);
        Assert.False(reader.HasData);
    }

    /// <summary>A 32-byte field that starts with <paramref name="prefix"/> (hex) and continues with 0x5A bytes.</summary>
    private static byte[] Field(string prefix)
    {
        var field = Enumerable.Repeat((byte)0x5A, 32).ToArray();
        Convert.FromHexString(prefix).CopyTo(field, 0);
        return field;
    }
}
