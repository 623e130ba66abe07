using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Iris.Shared;

/// <summary>
/// The names every device certificate carries, whoever signs it: the serial's mDNS name and the loopback names,
/// so a browser on the local network or on the board itself can check the certificate. Compiled into the
/// daemon (development identities) and the factory tool (certificates from the device CA), so both agree.
/// </summary>
internal static class DeviceCertificateNames
{
    public static X509Extension For(string serial)
    {
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(serial.ToLowerInvariant() + ".local");
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        return names.Build();
    }
}
