using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Iris.Camera.Link;
using Iris.Camera.Tests.Support;
using Microsoft.Extensions.Configuration;

namespace Iris.Camera.Tests.Link;

/// <summary>
/// The HTTPS webhook (5.8.1.1): every alert is posted with an HMAC-SHA-256 signature under a key the device made,
/// sealed and showed the administrator once; the receiver verifies it. The same client TLS policy applies: a
/// receiver whose certificate is not from the configured CA gets nothing.
/// </summary>
public sealed class WebhookTests
{
    [Fact]
    public async Task TestAlert_ArrivesSigned_AndTheReceiverVerifiesTheSignature()
    {
        await using var receiver = await WebhookReceiver.StartAsync(fromConfiguredCa: true);
        await using var camera = await InProcessCamera.StartAsync(configure: b => b.Configuration.AddInMemoryCollection(receiver.CameraSettings()));
        using var owner = await camera.ClaimAsync();
        using var keyResponse = await owner.Http.PostAsJsonAsync(new Uri("/api/link/webhook/key", UriKind.Relative), new { password = InProcessCamera.OwnerPassword });
        var key = FromBase64Url((await keyResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!);

        using var send = await owner.Http.PostAsync(new Uri("/api/link/test-alert", UriKind.Relative), null);
        Assert.True(send.IsSuccessStatusCode, await send.Content.ReadAsStringAsync());

        var (body, signature) = await receiver.NextAsync(TimeSpan.FromSeconds(20));
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(key, body));
        Assert.Equal(expected, signature);
        var alert = JsonDocument.Parse(body).RootElement;
        Assert.Equal(LinkService.TestAlertKind, alert.GetProperty("kind").GetString());
        Assert.StartsWith("DEV-", alert.GetProperty("serial").GetString(), StringComparison.Ordinal);

        // A body changed on the way no longer matches the signature the receiver checks.
        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body).Replace(LinkService.TestAlertKind, "all-clear", StringComparison.Ordinal));
        Assert.NotEqual(expected, "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(key, tampered)));
    }

    [Fact]
    public async Task ReceiverWithACertificateFromAnotherCa_GetsNothing_AndTheStatusSaysWhy()
    {
        await using var receiver = await WebhookReceiver.StartAsync(fromConfiguredCa: false);
        await using var camera = await InProcessCamera.StartAsync(configure: b => b.Configuration.AddInMemoryCollection(receiver.CameraSettings()));
        using var owner = await camera.ClaimAsync();
        using (await owner.Http.PostAsJsonAsync(new Uri("/api/link/webhook/key", UriKind.Relative), new { password = InProcessCamera.OwnerPassword }))
        using (var send = await owner.Http.PostAsync(new Uri("/api/link/test-alert", UriKind.Relative), null))
        {
            Assert.True(send.IsSuccessStatusCode);
        }

        await LinkBrokerTests.WaitForStateAsync(owner, "retrying", "webhook");

        using var status = await owner.Http.GetAsync(new Uri("/api/link", UriKind.Relative));
        var webhook = JsonDocument.Parse(await status.Content.ReadAsStringAsync()).RootElement.GetProperty("webhook");
        Assert.Contains("TLS", webhook.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, webhook.GetProperty("queued").GetInt32());
        Assert.Equal(0, receiver.Count);
    }

    private static byte[] FromBase64Url(string text) =>
        Convert.FromBase64String(text.Replace('-', '+').Replace('_', '/') + new string('=', (4 - (text.Length % 4)) % 4));
}
