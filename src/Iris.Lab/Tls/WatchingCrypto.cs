using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace Iris.Lab.Tls;

/// <summary>
/// BouncyCastle's crypto for one handshake, noting which signature scheme the server's handshake signature is
/// verified with (the TLS 1.2 ServerKeyExchange, the TLS 1.3 CertificateVerify): the server's certificates it
/// makes are wrapped so that creating a verifier, or verifying, records the scheme. Nothing else changes.
/// </summary>
internal sealed class WatchingCrypto() : BcTlsCrypto(new SecureRandom())
{
    private int used = -1;

    /// <summary>The scheme the last verified signature claimed, or null when none was verified.</summary>
    public ushort? Used => Volatile.Read(ref used) is var u and >= 0 ? (ushort)u : null;

    public override TlsCertificate CreateCertificate(short type, byte[] encoding) => new Watched(base.CreateCertificate(type, encoding), this);

    private void Saw(int scheme) => Volatile.Write(ref used, scheme);

    private sealed class Watched(TlsCertificate inner, WatchingCrypto crypto) : TlsCertificate
    {
        public BigInteger SerialNumber => inner.SerialNumber;

        public string SigAlgOid => inner.SigAlgOid;

        public TlsVerifier CreateVerifier(short signatureAlgorithm) => new WatchedVerifier(inner.CreateVerifier(signatureAlgorithm), crypto);

        public Tls13Verifier CreateVerifier(int signatureScheme)
        {
            crypto.Saw(signatureScheme);
            return inner.CreateVerifier(signatureScheme);
        }

        public TlsEncryptor CreateEncryptor(int tlsCertificateRole) => inner.CreateEncryptor(tlsCertificateRole);

        public byte[] GetEncoded() => inner.GetEncoded();

        public byte[] GetExtension(DerObjectIdentifier extensionOid) => inner.GetExtension(extensionOid);

        public Asn1Encodable GetSigAlgParams() => inner.GetSigAlgParams();

        public short GetLegacySignatureAlgorithm() => inner.GetLegacySignatureAlgorithm();

        public bool SupportsSignatureAlgorithm(short signatureAlgorithm) => inner.SupportsSignatureAlgorithm(signatureAlgorithm);

        public bool SupportsSignatureAlgorithmCA(short signatureAlgorithm) => inner.SupportsSignatureAlgorithmCA(signatureAlgorithm);

        public TlsCertificate CheckUsageInRole(int tlsCertificateRole)
        {
            inner.CheckUsageInRole(tlsCertificateRole);
            return this;
        }
    }

    private sealed class WatchedVerifier(TlsVerifier inner, WatchingCrypto crypto) : TlsVerifier
    {
        public TlsStreamVerifier GetStreamVerifier(DigitallySigned digitallySigned)
        {
            Note(digitallySigned);
            return inner.GetStreamVerifier(digitallySigned);
        }

        public bool VerifyRawSignature(DigitallySigned digitallySigned, byte[] hash)
        {
            Note(digitallySigned);
            return inner.VerifyRawSignature(digitallySigned, hash);
        }

        private void Note(DigitallySigned digitallySigned)
        {
            if (digitallySigned?.Algorithm is { } algorithm)
            {
                crypto.Saw(SignatureScheme.From(algorithm));
            }
        }
    }
}
