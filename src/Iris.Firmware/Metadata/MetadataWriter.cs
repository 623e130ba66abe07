using System.Text.Json;

namespace Iris.Firmware.Metadata;

/// <summary>Serialises a role document and signs it with each given key.</summary>
public static class MetadataWriter
{
    public static byte[] Sign<T>(T document, IEnumerable<IMetadataSigner> signers) where T : IRoleDocument
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(document, FirmwareJson.Info<T>(FirmwareJson.Metadata));
        var encoded = MetadataSignatures.PreAuthenticationEncoding(payload);
        var signatures = signers
            .Select(s => new EnvelopeSignature(MetadataSignatures.KeyId(s.PublicKey), Convert.ToBase64String(s.Sign(encoded))))
            .ToList();
        var envelope = new SignedEnvelope(MetadataSignatures.PayloadType, Convert.ToBase64String(payload), signatures);
        return JsonSerializer.SerializeToUtf8Bytes(envelope, FirmwareJson.Info<SignedEnvelope>(FirmwareJson.Metadata));
    }

    public static PublicKeyEntry KeyEntry(IMetadataSigner signer) =>
        new(MetadataSignatures.Scheme, Convert.ToBase64String(signer.PublicKey));
}
