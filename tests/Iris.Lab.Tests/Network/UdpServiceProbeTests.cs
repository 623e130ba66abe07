using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Iris.Lab.Network;
using Iris.Lab.Tests.Support;

namespace Iris.Lab.Tests.Network;

public sealed class UdpServiceProbeTests
{
    [Fact]
    public async Task AnsweringSnmp_IsPlaintext_AndUndeclared()
    {
        using var responder = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)responder.Client.LocalEndPoint!).Port;
        var answer = AnswerOnceAsync(responder);
        var snmp = UdpServiceProbe.Common.Single(s => s.Name == "snmp") with { Port = port };

        using var run = await LabRun.AuditAsync("127.0.0.1", "1", [new UdpServiceProbe { Services = [snmp] }], JsonSerializer.Serialize(new { services = Array.Empty<object>() }));

        Assert.Equal("public"u8.ToArray(), (await answer)[7..13]);
        run.AssertFinding("5.4.2.1", $"Plaintext UDP service: snmp on port {port}");
        run.AssertFinding("5.2.2.1", $"Undeclared UDP service: snmp on port {port}");
    }

    [Fact]
    public async Task SilentPorts_PassWithTheIxit()
    {
        using var closed = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)closed.Client.LocalEndPoint!).Port;
        closed.Close();
        var ssdp = UdpServiceProbe.Common.Single(s => s.Name == "ssdp") with { Port = port };

        using var run = await LabRun.AuditAsync("127.0.0.1", "1", [new UdpServiceProbe { Services = [ssdp] }], JsonSerializer.Serialize(new { services = Array.Empty<object>() }));

        Assert.Equal("pass", run.Verdict("5.2.2.1"));
        Assert.Contains($"ssdp {port}/udp", run.Evidence("5.2.2.1"), StringComparison.Ordinal);
    }

    /// <summary>Answers the first datagram with a few bytes, as an SNMP agent would, and returns what it was sent.</summary>
    private static async Task<byte[]> AnswerOnceAsync(UdpClient responder)
    {
        var request = await responder.ReceiveAsync();
        await responder.SendAsync(new byte[] { 0x30, 0x03, 0x02, 0x01, 0x01 }, request.RemoteEndPoint);
        return request.Buffer;
    }
}
