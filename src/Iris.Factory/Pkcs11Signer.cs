using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Text.Json;
using Iris.Firmware.Metadata;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Iris.Factory;

/// <summary>Where a role key lives in a token: written as ROLE.pkcs11.json beside the public key.</summary>
internal sealed record Pkcs11KeyReference(string Module, string TokenLabel, string KeyLabel, string KeyId);

/// <summary>
/// Role keys that never leave a PKCS#11 token (an HSM in the factory; SoftHSM2 in tests). The key pair is
/// generated inside the token, sensitive and non-extractable; signing sends the SHA-256 digest to the token
/// (CKM_ECDSA) and converts its r||s answer to DER. The user PIN comes from IRIS_PKCS11_PIN, never a file.
/// </summary>
internal sealed class Pkcs11Signer : IMetadataSigner
{
    public const string PinVariable = "IRIS_PKCS11_PIN";
    private static readonly byte[] P256Oid = [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];
    private readonly Pkcs11KeyReference _reference;

    private Pkcs11Signer(Pkcs11KeyReference reference, byte[] publicKey)
    {
        _reference = reference;
        PublicKey = publicKey;
    }

    public byte[] PublicKey { get; }

    public static Pkcs11Signer Open(string referenceFile)
    {
        var reference = JsonSerializer.Deserialize<Pkcs11KeyReference>(File.ReadAllText(referenceFile), MetadataJson.Options)
            ?? throw new InvalidDataException($"'{referenceFile}' is not a PKCS#11 key reference.");
        var publicKey = WithSession(reference.Module, reference.TokenLabel, session =>
        {
            var handle = Find(session, CKO.CKO_PUBLIC_KEY, reference);
            var point = session.GetAttributeValue(handle, [CKA.CKA_EC_POINT])[0].GetValueAsByteArray();
            return ToSubjectPublicKeyInfo(point);
        });
        return new Pkcs11Signer(reference, publicKey);
    }

    /// <summary>Generates <paramref name="count"/> key pairs for a role inside the token and writes their references.</summary>
    public static IReadOnlyList<string> Generate(string directory, string role, int count, string module, string tokenLabel)
    {
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        for (var i = 1; i <= count; i++)
        {
            var name = i == 1 ? role : $"{role}-{i}";
            var referencePath = Path.Combine(directory, name + ".pkcs11.json");
            if (File.Exists(referencePath))
            {
                throw new IOException($"'{referencePath}' exists; refusing to overwrite a key reference.");
            }

            var reference = new Pkcs11KeyReference(module, tokenLabel, $"iris-{name}", Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));
            var spki = WithSession(module, tokenLabel, session =>
            {
                var attributes = session.Factories.ObjectAttributeFactory;
                var id = Convert.FromHexString(reference.KeyId);
                List<IObjectAttribute> publicTemplate =
                [
                    attributes.Create(CKA.CKA_TOKEN, true),
                    attributes.Create(CKA.CKA_PRIVATE, false),
                    attributes.Create(CKA.CKA_LABEL, reference.KeyLabel),
                    attributes.Create(CKA.CKA_ID, id),
                    attributes.Create(CKA.CKA_VERIFY, true),
                    attributes.Create(CKA.CKA_EC_PARAMS, P256Oid),
                ];
                List<IObjectAttribute> privateTemplate =
                [
                    attributes.Create(CKA.CKA_TOKEN, true),
                    attributes.Create(CKA.CKA_PRIVATE, true),
                    attributes.Create(CKA.CKA_LABEL, reference.KeyLabel),
                    attributes.Create(CKA.CKA_ID, id),
                    attributes.Create(CKA.CKA_SIGN, true),
                    attributes.Create(CKA.CKA_SENSITIVE, true),
                    attributes.Create(CKA.CKA_EXTRACTABLE, false),
                ];
                using var mechanism = session.Factories.MechanismFactory.Create(CKM.CKM_EC_KEY_PAIR_GEN);
                session.GenerateKeyPair(mechanism, publicTemplate, privateTemplate, out var publicHandle, out _);
                var point = session.GetAttributeValue(publicHandle, [CKA.CKA_EC_POINT])[0].GetValueAsByteArray();
                return ToSubjectPublicKeyInfo(point);
            });
            FactoryKeys.WriteNew(referencePath, JsonSerializer.Serialize(reference, MetadataJson.Options), FactoryKeys.OwnerOnly);
            using (var key = ECDsa.Create())
            {
                key.ImportSubjectPublicKeyInfo(spki, out _);
                File.WriteAllText(Path.Combine(directory, name + ".pub.pem"), key.ExportSubjectPublicKeyInfoPem());
            }

            written.Add(referencePath);
        }

        return written;
    }

    public byte[] Sign(ReadOnlySpan<byte> data)
    {
        var digest = SHA256.HashData(data);
        var raw = WithSession(_reference.Module, _reference.TokenLabel, session =>
        {
            var handle = Find(session, CKO.CKO_PRIVATE_KEY, _reference);
            using var mechanism = session.Factories.MechanismFactory.Create(CKM.CKM_ECDSA);
            return session.Sign(mechanism, handle, digest);
        });
        // PKCS#11 returns r||s (IEEE P1363); the metadata carries DER (RFC 3279).
        return SignatureEncoding.P1363ToDer(raw);
    }

    private static IObjectHandle Find(ISession session, CKO kind, Pkcs11KeyReference reference)
    {
        var attributes = session.Factories.ObjectAttributeFactory;
        var found = session.FindAllObjects(
        [
            attributes.Create(CKA.CKA_CLASS, kind),
            attributes.Create(CKA.CKA_ID, Convert.FromHexString(reference.KeyId)),
        ]);
        return found.Count == 1 ? found[0] : throw new InvalidDataException($"The token holds {found.Count} {kind} objects for key '{reference.KeyLabel}'; 1 expected.");
    }

    private static T WithSession<T>(string module, string tokenLabel, Func<ISession, T> action)
    {
        // The module and token first: a wrong path is the likelier mistake, and its message says what to fix.
        var slot = Iris.Shared.Pkcs11Modules.FindToken(module, tokenLabel)
            ?? throw new InvalidOperationException($"No PKCS#11 token labelled '{tokenLabel}' in {module}.");
        var pin = Environment.GetEnvironmentVariable(PinVariable);
        if (string.IsNullOrEmpty(pin))
        {
            throw new InvalidOperationException($"Set {PinVariable} to the token's user PIN.");
        }

        using var session = slot.OpenSession(SessionType.ReadWrite);
        session.Login(CKU.CKU_USER, pin);
        try
        {
            return action(session);
        }
        finally
        {
            session.Logout();
        }
    }

    /// <summary>CKA_EC_POINT is a DER OCTET STRING around the uncompressed point 04||X||Y.</summary>
    private static byte[] ToSubjectPublicKeyInfo(byte[] ecPoint)
    {
        var point = ecPoint.Length == 65 && ecPoint[0] == 0x04 ? ecPoint : new AsnReader(ecPoint, AsnEncodingRules.DER).ReadOctetString();
        if (point.Length != 65 || point[0] != 0x04)
        {
            throw new InvalidDataException("The token's public key is not an uncompressed P-256 point.");
        }

        using var key = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = point[1..33], Y = point[33..65] },
        });
        return key.ExportSubjectPublicKeyInfo();
    }
}
