namespace Iris.Lab.Tls;

/// <summary>
/// TLS signature schemes (RFC 8446 4.2.3; the TLS 1.2 hash/signature pairs of RFC 5246 share the code space) and
/// how NIST SP 800-52r2 and SP 800-131A judge each: SHA-1 is not allowed for signatures, and TLS 1.3 forbids
/// RSA PKCS#1 v1.5 in the handshake's CertificateVerify (SP 800-52r2 3.3.2 defers to RFC 8446).
/// </summary>
internal static class SignatureSchemes
{
    public static readonly IReadOnlyDictionary<ushort, string> Names = new Dictionary<ushort, string>
    {
        [0x0201] = "rsa_pkcs1_sha1", [0x0203] = "ecdsa_sha1",
        [0x0301] = "rsa_pkcs1_sha224", [0x0303] = "ecdsa_sha224",
        [0x0401] = "rsa_pkcs1_sha256", [0x0501] = "rsa_pkcs1_sha384", [0x0601] = "rsa_pkcs1_sha512",
        [0x0403] = "ecdsa_secp256r1_sha256", [0x0503] = "ecdsa_secp384r1_sha384", [0x0603] = "ecdsa_secp521r1_sha512",
        [0x0804] = "rsa_pss_rsae_sha256", [0x0805] = "rsa_pss_rsae_sha384", [0x0806] = "rsa_pss_rsae_sha512",
        [0x0807] = "ed25519", [0x0808] = "ed448",
        [0x0809] = "rsa_pss_pss_sha256", [0x080A] = "rsa_pss_pss_sha384", [0x080B] = "rsa_pss_pss_sha512",
    };

    public static string NameOf(ushort code) => Names.TryGetValue(code, out var name) ? name : $"scheme 0x{code:X4}";

    public static bool IsSha1(ushort code) => (code >> 8) == 0x02;

    public static bool IsRsaPkcs1(ushort code) => (code & 0xFF) == 0x01 && (code >> 8) is >= 0x01 and <= 0x06;

    /// <summary>Why using <paramref name="code"/> in a <paramref name="version"/> handshake is a finding, or null when it is allowed.</summary>
    public static string? Fault(ushort version, ushort code) =>
        IsSha1(code) ? "SHA-1 signatures (SP 800-131A disallows SHA-1 for signature generation)"
        : version == TlsVersions.Tls13 && IsRsaPkcs1(code) ? "RSA PKCS#1 v1.5 in a TLS 1.3 handshake (RFC 8446 4.2.3, SP 800-52r2 3.3.2)"
        : null;
}
