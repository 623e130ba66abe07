using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Iris.Camera.Tests.Support;

namespace Iris.Camera.Tests.Relay;

/// <summary>
/// Iris.Relay's two admissions, on their own: a camera only with a device certificate that chains to the
/// configured device CA (checked at the TLS handshake), a viewer only with a token the camera of that very
/// session signed, still valid, not too long-lived and not used before.
/// </summary>
public sealed class RelayAdmissionTests
{
    [Fact]
    public async Task Relay_AdmitsACameraWithItsDeviceCertificate_AndRefusesOneWithoutOrFromAnotherCa()
    {
        var (ca, caKey) = TestCertificates.CreateCa("Iris Test Device CA");
        var (rogueCa, rogueKey) = TestCertificates.CreateCa("Iris Test Device CA");
        await using var relay = await RunningRelay.StartAsync(ca, caKey, [ca]);
        using var device = IssueDevice(ca, caKey, "DEV-RELAY-0001");
        using var forged = IssueDevice(rogueCa, rogueKey, "DEV-RELAY-0001");
        using var selfSigned = SelfSigned("DEV-RELAY-0001");

        using var admitted = await relay.ConnectAsync(relay.CameraUri(RemoteViewer.NewSessionId()), device);
        Assert.Equal(WebSocketState.Open, admitted.State);

        using var none = await relay.ConnectAsync(relay.CameraUri(RemoteViewer.NewSessionId()));
        Assert.NotEqual(WebSocketState.Open, none.State);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, none.HttpStatusCode);

        foreach (var certificate in new[] { forged, selfSigned })
        {
            using var refused = await relay.ConnectAsync(relay.CameraUri(RemoteViewer.NewSessionId()), certificate);
            Assert.NotEqual(WebSocketState.Open, refused.State);
            // Refused at the TLS handshake: there is no HTTP answer at all.
            Assert.Equal((System.Net.HttpStatusCode)0, refused.HttpStatusCode);
        }

        ca.Dispose();
        caKey.Dispose();
        rogueCa.Dispose();
        rogueKey.Dispose();
    }

    [Fact]
    public async Task OneDeviceCertificate_CannotTakeMoreThanItsSessions_OthersStillGetTheirs()
    {
        // Outside review A8: the key of one camera (extracted from one device) must not fill the relay every camera shares.
        var (ca, caKey) = TestCertificates.CreateCa("Iris Test Device CA");
        await using var relay = await RunningRelay.StartAsync(ca, caKey, [ca]);
        using var device = IssueDevice(ca, caKey, "DEV-RELAY-0003");
        using var other = IssueDevice(ca, caKey, "DEV-RELAY-0004");

        using var first = await relay.ConnectAsync(relay.CameraUri(RemoteViewer.NewSessionId()), device);
        using var second = await relay.ConnectAsync(relay.CameraUri(RemoteViewer.NewSessionId()), device);
        using var third = await relay.ConnectAsync(relay.CameraUri(RemoteViewer.NewSessionId()), device);
        Assert.Equal(WebSocketState.Open, first.State);
        Assert.Equal(WebSocketState.Open, second.State);
        Assert.NotEqual(WebSocketState.Open, third.State);
        Assert.Equal(System.Net.HttpStatusCode.Conflict, third.HttpStatusCode);

        using var otherCamera = await relay.ConnectAsync(relay.CameraUri(RemoteViewer.NewSessionId()), other);
        Assert.Equal(WebSocketState.Open, otherCamera.State);

        // A session that ends gives its place back.
        await first.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        ClientWebSocket again;
        while (true)
        {
            again = await relay.ConnectAsync(relay.CameraUri(RemoteViewer.NewSessionId()), device);
            if (again.State == WebSocketState.Open || cancel.IsCancellationRequested)
            {
                break;
            }

            again.Dispose();
            await Task.Delay(100, CancellationToken.None);
        }

        using (again)
        {
            Assert.Equal(WebSocketState.Open, again.State);
        }

        ca.Dispose();
        caKey.Dispose();
    }

    [Fact]
    public async Task Relay_AdmitsAViewerOnlyWithAValidTokenFromThatSessionsCamera_Once()
    {
        var (ca, caKey) = TestCertificates.CreateCa("Iris Test Device CA");
        await using var relay = await RunningRelay.StartAsync(ca, caKey, [ca]);
        using var device = IssueDevice(ca, caKey, "DEV-RELAY-0002");
        using var other = IssueDevice(ca, caKey, "DEV-RELAY-0003");
        using var deviceKey = device.GetECDsaPrivateKey()!;
        using var otherKey = other.GetECDsaPrivateKey()!;
        var (sessionA, sessionB) = (RemoteViewer.NewSessionId(), RemoteViewer.NewSessionId());
        using var cameraA = await relay.ConnectAsync(relay.CameraUri(sessionA), device);
        using var cameraB = await relay.ConnectAsync(relay.CameraUri(sessionB), other);
        Assert.Equal(WebSocketState.Open, cameraA.State);
        var now = DateTimeOffset.UtcNow;

        var refused = new Dictionary<string, (string Session, string? Token)>
        {
            ["no token"] = (sessionA, null),
            ["garbage"] = (sessionA, "not.a-token"),
            ["signed by another camera"] = (sessionA, Token(otherKey, sessionA, "DEV-RELAY-0002", now.AddMinutes(1))),
            ["expired"] = (sessionA, Token(deviceKey, sessionA, "DEV-RELAY-0002", now.AddSeconds(-5))),
            ["living too long"] = (sessionA, Token(deviceKey, sessionA, "DEV-RELAY-0002", now.AddHours(2))),
            ["for another session of the same camera"] = (sessionA, Token(deviceKey, RemoteViewer.NewSessionId(), "DEV-RELAY-0002", now.AddMinutes(1))),
            ["for session A, shown at session B"] = (sessionB, Token(deviceKey, sessionA, "DEV-RELAY-0002", now.AddMinutes(1))),
            ["for a session that does not exist"] = (RemoteViewer.NewSessionId(), Token(deviceKey, sessionA, "DEV-RELAY-0002", now.AddMinutes(1))),
        };
        foreach (var (name, (session, token)) in refused)
        {
            using var viewer = await relay.ConnectAsync(relay.ViewerUri(session, token));
            Assert.True(viewer.State != WebSocketState.Open, $"a viewer with a token {name} was admitted");
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, viewer.HttpStatusCode);
        }

        var good = Token(deviceKey, sessionA, "DEV-RELAY-0002", now.AddMinutes(1));
        using (var viewer = await relay.ConnectAsync(relay.ViewerUri(sessionA, good)))
        {
            Assert.Equal(WebSocketState.Open, viewer.State);
            // The camera hears that a viewer came, so it starts its stream at an initialization segment.
            var (notices, _, _) = await RunningRelay.ReadAsync(cameraA, 1, TimeSpan.FromSeconds(10));
            Assert.Equal("viewer-joined", JsonDocument.Parse(notices.Single()).RootElement.GetProperty("type").GetString());
            await viewer.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        }

        using var replayed = await relay.ConnectAsync(relay.ViewerUri(sessionA, good));
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, replayed.HttpStatusCode);
        ca.Dispose();
        caKey.Dispose();
    }

    /// <summary>A viewer token as docs/platform-protocol.md describes it: base64url(JSON) "." base64url(ECDSA P-256 SHA-256 r‖s).</summary>
    internal static string Token(ECDsa key, string sessionId, string serial, DateTimeOffset expiresAt)
    {
        var payload = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { v = 1, sessionId, serial, expiresAt = expiresAt.ToUnixTimeSeconds(), nonce = OwnerApp.Encode(RandomNumberGenerator.GetBytes(16)) }));
        return OwnerApp.Encode(payload) + "." + OwnerApp.Encode(key.SignData(payload, HashAlgorithmName.SHA256));
    }

    internal static X509Certificate2 IssueDevice(X509Certificate2 ca, ECDsa caKey, string serial)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={serial}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(TestCertificates.ClientAuthentication)], false));
        var number = RandomNumberGenerator.GetBytes(12);
        number[0] &= 0x7F;
        using var issued = request.Create(ca.SubjectName, X509SignatureGenerator.CreateForECDsa(caKey), DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), number);
        return issued.CopyWithPrivateKey(key);
    }

    private static X509Certificate2 SelfSigned(string serial)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={serial}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(TestCertificates.ClientAuthentication)], false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }
}
