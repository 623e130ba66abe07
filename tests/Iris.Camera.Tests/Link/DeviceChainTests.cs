using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Iris.Camera.Events;
using Iris.Camera.Identity;
using Iris.Camera.Tests.Factory;
using Iris.Camera.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Link;

/// <summary>
/// Issue 13 (5.1.1.1, 5.4.2.x): a provisioned camera's MQTT and webhook connections present the device CA with the
/// device certificate, so a broker or receiver that trusts only the vendor root accepts it. Each test also shows
/// that the same peer refuses the device certificate alone (raw handshakes), so the chain is what makes it pass.
/// </summary>
public sealed class DeviceChainTests
{
    [Fact]
    public async Task ProvisionedCamera_ReachesABrokerTrustingOnlyTheVendorRoot_WhichRefusesTheLeafAlone()
    {
        using var line = await ProvisioningLine.CreateAsync(count: 1);
        using var data = new TempDirectory();
        var serial = (await line.ProvisionDeviceAsync(data.Path)).Split(' ')[0];
        using var root = line.Root;
        await using var broker = MosquittoBroker.Create();
        broker.TrustOnlyClientsFrom(root);
        await broker.StartAsync();
        await using var camera = await InProcessCamera.StartAsync(data.Path, configure: b => b.Configuration.AddInMemoryCollection(broker.CameraSettings()));
        using var platformCertificate = IssueUnderVendorRoot(line, MosquittoBroker.PlatformUser);
        await using var platform = await MqttTestClient.ConnectAsync(broker, platformCertificate, "platform-chain");
        await platform.SubscribeAsync("iris/#");

        camera.App.Services.GetRequiredService<AlertCenter>().Announce(AlertKinds.Motion, DateTimeOffset.UtcNow, 7, "Motion detected (9.0% of the watched area changed).");

        await platform.WaitUntilAsync(p => p.Alerts($"iris/{serial}/alerts").Any(a => a.GetProperty("kind").GetString() == AlertKinds.Motion), TimeSpan.FromSeconds(30),
            "the provisioned camera's motion alert\n" + broker.Log);
        var identity = camera.App.Services.GetRequiredService<DeviceIdentity>();
        Assert.Equal(serial, identity.Serial);
        Assert.False(await BrokerAcceptsAsync(broker, SslStreamCertificateContext.Create(identity.Certificate, [], offline: true)), "the broker must refuse the device certificate alone");
        Assert.True(await BrokerAcceptsAsync(broker, SslStreamCertificateContext.Create(identity.Certificate, identity.Chain, offline: true)), "the same raw client with the device CA must be accepted");
    }

    [Fact]
    public async Task ProvisionedCamera_PostsToAReceiverTrustingOnlyTheVendorRoot_WhichRefusesTheLeafAlone()
    {
        using var line = await ProvisioningLine.CreateAsync(count: 1);
        using var data = new TempDirectory();
        var serial = (await line.ProvisionDeviceAsync(data.Path)).Split(' ')[0];
        using var root = line.Root;
        await using var receiver = await WebhookReceiver.StartAsync(clientsFrom: root);
        await using var camera = await InProcessCamera.StartAsync(data.Path, configure: b => b.Configuration.AddInMemoryCollection(receiver.CameraSettings()));
        using var owner = await CameraSessions.ClaimAsync(camera.BaseAddress, camera.Certificate, line.PasswordOnLabel(serial), InProcessCamera.OwnerPassword);
        using (var key = await owner.Http.PostAsJsonAsync(new Uri("/api/link/webhook/key", UriKind.Relative), new { password = InProcessCamera.OwnerPassword }))
        {
            Assert.True(key.IsSuccessStatusCode, await key.Content.ReadAsStringAsync());
        }

        using (var send = await owner.Http.PostAsync(new Uri("/api/link/test-alert", UriKind.Relative), null))
        {
            Assert.True(send.IsSuccessStatusCode, await send.Content.ReadAsStringAsync());
        }

        var (body, _) = await receiver.NextAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(serial, JsonDocument.Parse(body).RootElement.GetProperty("serial").GetString());
        var identity = camera.App.Services.GetRequiredService<DeviceIdentity>();
        Assert.False(await receiver.AcceptsAsync(SslStreamCertificateContext.Create(identity.Certificate, [], offline: true)), "the receiver must refuse the device certificate alone");
        Assert.True(await receiver.AcceptsAsync(SslStreamCertificateContext.Create(identity.Certificate, identity.Chain, offline: true)), "the same client with the device CA must be accepted");
    }

    /// <summary>A client certificate for the platform's subscriber, straight from the vendor root (the broker's only anchor).</summary>
    private static X509Certificate2 IssueUnderVendorRoot(ProvisioningLine line, string name)
    {
        using var root = line.Root;
        using var rootKey = ECDsa.Create();
        rootKey.ImportFromPem(File.ReadAllText(Path.Combine(line.Dir.Combine("root"), "root-ca.key.pem")));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(TestCertificates.ClientAuthentication)], false));
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        using var issued = request.Create(root.SubjectName, X509SignatureGenerator.CreateForECDsa(rootKey), DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), serial);
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>
    /// One raw TLS handshake to the broker presenting <paramref name="client"/>, then an MQTT 3.1.1 CONNECT: true
    /// when the broker answers CONNACK "accepted", false when it refuses the certificate (alert or close).
    /// </summary>
    private static async Task<bool> BrokerAcceptsAsync(MosquittoBroker broker, SslStreamCertificateContext client)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, broker.Port);
        await using var tls = new SslStream(tcp.GetStream());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "127.0.0.1",
                ClientCertificateContext = client,
                CertificateChainPolicy = WebhookReceiver.TrustOnly(broker.Ca),
            }, timeout.Token);
            byte[] connect = [0x10, 0x0D, 0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x04, 0x02, 0x00, 0x3C, 0x00, 0x01, (byte)'c'];
            await tls.WriteAsync(connect, timeout.Token);
            var answer = new byte[4];
            await tls.ReadExactlyAsync(answer, timeout.Token);
            return answer[0] == 0x20 && answer[3] == 0x00;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            return false;
        }
    }
}
