using System.Net;
using System.Net.Sockets;

namespace Iris.Camera.Web;

/// <summary>
/// How the daemon names a client's network source, everywhere it counts or logs one: IPv4 as is (IPv4-mapped IPv6
/// unwrapped), IPv6 by its /64, since one home or host usually holds a whole /64. The daemon never trusts a
/// forwarded-for header: it is reached directly, not through a proxy.
/// </summary>
public static class ClientAddress
{
    public static string Key(IPAddress? address)
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

    /// <summary>The source key of the client that sent this request.</summary>
    public static string ClientSource(this HttpContext context) => Key(context.Connection.RemoteIpAddress);
}
