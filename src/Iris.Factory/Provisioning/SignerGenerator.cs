using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Iris.Firmware.Metadata;

namespace Iris.Factory.Provisioning;

/// <summary>
/// Lets .NET's certificate builder sign with a key it cannot hold: a CA key in a PKCS#11 token (or a file key
/// loaded as a signer). Both answer ECDSA P-256 over SHA-256, DER-encoded, which is what X.509 carries.
/// </summary>
internal sealed class SignerGenerator(IMetadataSigner signer) : X509SignatureGenerator
{
    // AlgorithmIdentifier { ecdsa-with-SHA256 } with no parameters (RFC 5758 3.2).
    private static readonly byte[] EcdsaWithSha256 = [0x30, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02];

    public override byte[] GetSignatureAlgorithmIdentifier(HashAlgorithmName hashAlgorithm) =>
        hashAlgorithm == HashAlgorithmName.SHA256 ? EcdsaWithSha256 : throw new CryptographicException("The device CA signs with SHA-256 only.");

    public override byte[] SignData(byte[] data, HashAlgorithmName hashAlgorithm) =>
        hashAlgorithm == HashAlgorithmName.SHA256 ? signer.Sign(data) : throw new CryptographicException("The device CA signs with SHA-256 only.");

    protected override PublicKey BuildPublicKey() => PublicKey.CreateFromSubjectPublicKeyInfo(signer.PublicKey, out _);
}
