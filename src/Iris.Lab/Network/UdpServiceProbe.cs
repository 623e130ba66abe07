using System.Net.Sockets;
using System.Text;
using Iris.Lab.Audit;

namespace Iris.Lab.Network;

/// <summary>One UDP service the lab asks for: where, the request that makes it answer, and whether it runs in clear.</summary>
internal sealed record UdpService(string Name, int Port, byte[] Request, bool Plaintext);

/// <summary>
/// 5.2.2.1 (and 5.4.2.1 for plaintext ones): UDP has no handshake, so a closed port and a silent one look alike;
/// the lab sends each common camera service the request it must answer (mDNS, SSDP, WS-Discovery, TFTP, SNMP with
/// the community "public") and counts an answer as the service running. An answering service the IXIT does not
/// declare fails 5.2.2.1; TFTP and SNMPv1/v2c answer in clear and fail 5.4.2.1.
/// </summary>
internal sealed class UdpServiceProbe : IProbe
{
    public static readonly IReadOnlyList<UdpService> Common =
    [
        new("mdns", 5353, MdnsQuery(), false),
        new("ssdp", 1900, Encoding.ASCII.GetBytes("M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n"), false),
        new("ws-discovery", 3702, Encoding.UTF8.GetBytes(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" xmlns:a=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\">"
            + "<s:Header><a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action><a:MessageID>urn:uuid:9f2c3c52-6a2e-4e7b-9d0e-1b1a7c1e0a11</a:MessageID>"
            + "<a:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To></s:Header><s:Body><Probe xmlns=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\"/></s:Body></s:Envelope>"), false),
        new("tftp", 69, [0x00, 0x01, .. "iris-lab-probe"u8, 0x00, .. "octet"u8, 0x00], true),
        // SNMPv2c GetRequest for sysDescr.0 with the community "public".
        new("snmp", 161, [0x30, 0x26, 0x02, 0x01, 0x01, 0x04, 0x06, .. "public"u8, 0xA0, 0x19, 0x02, 0x01, 0x01, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00,
            0x30, 0x0E, 0x30, 0x0C, 0x06, 0x08, 0x2B, 0x06, 0x01, 0x02, 0x01, 0x01, 0x01, 0x00, 0x05, 0x00], true),
    ];

    public string Name => "udp";

    public IReadOnlyList<string> Items { get; } = ["5.2.2.1", "5.4.2.1"];

    /// <summary>UDP answers do not depend on the TCP scan, so their waits overlap it.</summary>
    public IReadOnlyList<string>? After { get; } = [];

    /// <summary>The services asked for; tests point them at their own ports.</summary>
    public IReadOnlyList<UdpService> Services { get; init; } = Common;

    public async Task RunAsync(AuditContext context, ProbeRecorder recorder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(recorder);
        var host = context.Target.Host;
        var answers = await Task.WhenAll(Services.Select(s => AskAsync(host, s, context.ConnectTimeout, cancellationToken)));
        var answering = Services.Zip(answers).Where(p => p.Second is not null).Select(p => (Service: p.First, Reply: p.Second!)).ToList();
        var asked = string.Join(", ", Services.Select(s => $"{s.Name} {s.Port}/udp"));
        var declared = context.Ixit?.Services.Where(d => string.Equals(d.Transport, "udp", StringComparison.OrdinalIgnoreCase)).Select(d => d.Port).ToHashSet();
        foreach (var (service, reply) in answering)
        {
            var what = $"{host}:{service.Port}/udp answered a {service.Name} request with {reply.Length} bytes";
            if (service.Plaintext)
            {
                recorder.Fail(new Finding("5.4.2.1", Severity.High, $"Plaintext UDP service: {service.Name} on port {service.Port}", what, Reproduce(host, service)));
            }

            if (declared is null)
            {
                recorder.Inconclusive("5.2.2.1", $"{what}; without an IXIT the lab cannot tell whether it is needed");
            }
            else if (!declared.Contains(service.Port))
            {
                recorder.Fail(new Finding("5.2.2.1", Severity.Medium, $"Undeclared UDP service: {service.Name} on port {service.Port}", what, Reproduce(host, service)));
            }
        }

        if (answering.Count == 0)
        {
            recorder.Pass("5.2.2.1", $"{host}: no UDP service answered ({asked})");
        }
        else if (declared is not null && answering.All(a => declared.Contains(a.Service.Port)))
        {
            recorder.Pass("5.2.2.1", $"{host}: the UDP services that answered are declared ({string.Join(", ", answering.Select(a => a.Service.Name))})");
        }
    }

    private static async Task<byte[]?> AskAsync(string host, UdpService service, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var udp = new UdpClient(host.Contains(':', StringComparison.Ordinal) ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            udp.Connect(host, service.Port);
            await udp.SendAsync(service.Request, deadline.Token);
            var result = await udp.ReceiveAsync(deadline.Token);
            return result.Buffer;
        }
        catch (SocketException)
        {
            // ICMP port unreachable: nothing listens there.
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private static string Reproduce(string host, UdpService service) => service.Name switch
    {
        "snmp" => $"snmpget -v2c -c public {host} 1.3.6.1.2.1.1.1.0",
        "tftp" => $"tftp {host} -c get iris-lab-probe",
        _ => $"nmap -sU -p {service.Port} --script broadcast-{service.Name}-discover {host}",
    };

    /// <summary>A DNS-SD enumeration query (_services._dns-sd._udp.local PTR) asking for a unicast answer.</summary>
    private static byte[] MdnsQuery()
    {
        var query = new List<byte> { 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0 };
        foreach (var label in new[] { "_services", "_dns-sd", "_udp", "local" })
        {
            query.Add((byte)label.Length);
            query.AddRange(Encoding.ASCII.GetBytes(label));
        }

        query.AddRange([0, 0x00, 0x0C, 0x80, 0x01]);
        return [.. query];
    }
}
