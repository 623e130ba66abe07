using System.Net;
using System.Net.Sockets;

namespace Iris.Camera.Accounts;

/// <summary>
/// The one way an endpoint names the client a request came from: the key throttling, nonces, the security log
/// and known-source alerts all use. IPv6 clients are keyed by their /64, since one host usually holds a whole
/// prefix and could otherwise rotate addresses to escape per-source limits.
/// </summary>
internal static class ClientAddress
{
    public static string ClientSource(this HttpContext http) => SourceKey(http.Connection.RemoteIpAddress);

    public static string SourceKey(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var bytes = address.GetAddressBytes();
            Array.Clear(bytes, 8, 8);
            return new IPAddress(bytes) + "/64";
        }

        return address.ToString();
    }
}
