using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Serialization;

namespace Iris.Camera.Identity;

/// <summary>Where an identity came from. Development identities are made by the daemon on first start.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<IdentityOrigin>))]
public enum IdentityOrigin
{
    Development,
    Factory,
}

/// <summary>
/// The device's identity: serial, model, and the device certificate with its private key (kept in memory only;
/// at rest it is sealed in the vault). The HTTPS listener presents this certificate and, for a factory identity,
/// the device CA certificates in <see cref="Chain"/>, so a client can check it against the vendor's root.
/// </summary>
public sealed class DeviceIdentity(string serial, string model, IdentityOrigin origin, X509Certificate2 certificate, X509Certificate2Collection? chain = null) : IDisposable
{
    public string Serial { get; } = serial;

    public string Model { get; } = model;

    public IdentityOrigin Origin { get; } = origin;

    public X509Certificate2 Certificate { get; } = certificate;

    /// <summary>
    /// The vendor as the device certificate names it (O=): for a factory identity the order's vendor, the same
    /// text the label prints; for a development identity Iris:Device:Vendor. One source, so device and label agree.
    /// </summary>
    public string Vendor { get; } = certificate.SubjectName.EnumerateRelativeDistinguishedNames()
        .Where(name => name.GetSingleElementType().Value == "2.5.4.10").Select(name => name.GetSingleElementValue()).FirstOrDefault() ?? "";

    /// <summary>The issuing CA certificates (empty for a self-signed development identity).</summary>
    public X509Certificate2Collection Chain { get; } = chain ?? [];

    public void Dispose()
    {
        Certificate.Dispose();
        foreach (var certificate in Chain)
        {
            certificate.Dispose();
        }
    }
}
