using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Iris.Camera.Events;
using Iris.Camera.Link;
using Iris.Camera.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Link;

/// <summary>
/// The link's settings from the link page (issue 15, Deliver 1 and 7): a broker named by an administrator is
/// connected to without a restart and still after one, turning it off stops the link, unusable settings are
/// refused field by field and change nothing, and a new webhook key needs the password typed again, throttled
/// like every other re-authentication.
/// </summary>
public sealed class LinkSettingsTests
{
    [Fact]
    public async Task ABrokerSetOnThePage_IsConnectedWithoutARestart_StaysAfterOne_AndOffStopsTheLink()
    {
        // The CA is installed (configuration); the broker is not named until the administrator does it.
        await using var setup = await LinkedCamera.StartAsync(extra: new Dictionary<string, string?> { ["Iris:Cloud:BrokerHost"] = "" });
        var owner = await setup.Camera.ClaimAsync();
        var status = await GetAsync(owner, "/api/link");
        Assert.False(status.GetProperty("configured").GetBoolean());
        Assert.Equal("off", status.GetProperty("mqtt").GetProperty("state").GetString(), ignoreCase: true);

        var saved = await PutAsync(owner, new { brokerHost = "127.0.0.1", brokerPort = setup.Broker.Port });
        Assert.Equal("127.0.0.1", saved.GetProperty("brokerHost").GetString());
        await LinkBrokerTests.WaitForStateAsync(owner, "connected");
        using (var send = await owner.Http.PostAsync(new Uri("/api/link/test-alert", UriKind.Relative), null))
        {
            Assert.True(send.IsSuccessStatusCode);
        }

        await setup.Platform.WaitUntilAsync(p => p.Alerts($"iris/{setup.Serial}/alerts").Any(a => a.GetProperty("kind").GetString() == LinkService.TestAlertKind), TimeSpan.FromSeconds(20), "the test alert");
        var logged = setup.Camera.App.Services.GetRequiredService<SecurityEventLog>().Read(0, 10_000).Last(e => e.Kind == SecurityEventKinds.SettingsChanged);
        Assert.Equal($"platform link settings: broker 127.0.0.1:{setup.Broker.Port}", logged.Detail);

        owner.Dispose();
        await setup.RestartCameraAsync();
        owner = await CameraSessions.SignInAsync(setup.Camera.BaseAddress, setup.Camera.Certificate, "admin", InProcessCamera.OwnerPassword);
        await LinkBrokerTests.WaitForStateAsync(owner, "connected");

        await PutAsync(owner, new { brokerHost = "" });
        await LinkBrokerTests.WaitForStateAsync(owner, "off");
        Assert.False((await GetAsync(owner, "/api/link")).GetProperty("configured").GetBoolean());
        await setup.Platform.WaitUntilAsync(p => p.Received.Any(m => m.Topic == $"iris/{setup.Serial}/state" && m.Payload == "offline"), TimeSpan.FromSeconds(10), "the clean offline state");
        owner.Dispose();
    }

    [Fact]
    public async Task UnusableSettings_AreRefusedByField_AndChangeNothing()
    {
        await using (var camera = await InProcessCamera.StartAsync())
        using (var owner = await camera.ClaimAsync())
        {
            // No CA installed: no broker can be trusted, so none can be named.
            await RefusedAsync(owner, new { brokerHost = "broker.example" }, "brokerHost");
        }

        await using var setup = await LinkedCamera.StartAsync();
        using var admin = await setup.Camera.ClaimAsync();
        var before = await GetAsync(admin, "/api/link/settings");
        await RefusedAsync(admin, new { webhookUrl = "http://receiver.example/hook" }, "webhookUrl");
        await RefusedAsync(admin, new { webhookUrl = "not an address" }, "webhookUrl");
        await RefusedAsync(admin, new { topicRoot = "iris/#" }, "topicRoot");
        await RefusedAsync(admin, new { brokerPort = 0 }, "BrokerPort");
        Assert.Equal(before.ToString(), (await GetAsync(admin, "/api/link/settings")).ToString());

        // A webhook address may carry a token in its path: shown and logged without it; sent back masked, it is kept.
        var saved = await PutAsync(admin, new { webhookUrl = "https://receiver.example/api/webhook/secret-token-123" });
        Assert.Equal("https://receiver.example/…", saved.GetProperty("webhookUrl").GetString());
        await PutAsync(admin, new { webhookUrl = "https://receiver.example/…", topicRoot = "home" });
        Assert.Equal("https://receiver.example/api/webhook/secret-token-123", setup.Camera.App.Services.GetRequiredService<CloudOptions>().WebhookUrl!.ToString());
        var log = setup.Camera.App.Services.GetRequiredService<SecurityEventLog>().Read(0, 10_000);
        Assert.DoesNotContain(log, e => e.Detail?.Contains("secret-token", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task ANewWebhookKey_NeedsThePasswordAgain_AndWrongPasswordsAreThrottled()
    {
        await using var camera = await InProcessCamera.StartAsync();
        using var owner = await camera.ClaimAsync();
        var uri = new Uri("/api/link/webhook/key", UriKind.Relative);

        using (var none = await owner.Http.PostAsJsonAsync(uri, new { }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);
        }

        using (var wrong = await owner.Http.PostAsJsonAsync(uri, new { password = "not the password" }))
        {
            await ProblemAssert.IsAsync(wrong, HttpStatusCode.Forbidden, "urn:iris:problem:password-required");
        }

        HttpStatusCode last;
        var tries = 1;
        do
        {
            using var again = await owner.Http.PostAsJsonAsync(uri, new { password = "not the password" });
            last = again.StatusCode;
        }
        while (last == HttpStatusCode.Forbidden && ++tries < 20);
        Assert.Equal(HttpStatusCode.TooManyRequests, last);
        Assert.False(camera.App.Services.GetRequiredService<WebhookSecret>().IsSet);

        // While throttled even the right password waits, so guessing cannot go faster by mixing it in.
        using (var right = await owner.Http.PostAsJsonAsync(uri, new { password = InProcessCamera.OwnerPassword }))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
        }

        var failures = camera.App.Services.GetRequiredService<SecurityEventLog>().Read(0, 10_000).Count(e => e.Kind == SecurityEventKinds.ReauthenticationFailed && e.Detail!.StartsWith("new webhook key", StringComparison.Ordinal));
        // Every attempt is recorded: the first wrong one, each one of the loop, and the throttled right one.
        Assert.Equal(tries + 2, failures);
    }

    private static async Task RefusedAsync(SignedInClient owner, object body, string field)
    {
        using var response = await owner.Http.PutAsJsonAsync(new Uri("/api/link/settings", UriKind.Relative), body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
        var errors = JsonDocument.Parse(text).RootElement.GetProperty("errors");
        Assert.True(errors.EnumerateObject().Any(e => string.Equals(e.Name, field, StringComparison.OrdinalIgnoreCase)), $"{field} not named: {text}");
    }

    private static async Task<JsonElement> PutAsync(SignedInClient owner, object body)
    {
        using var response = await owner.Http.PutAsJsonAsync(new Uri("/api/link/settings", UriKind.Relative), body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<JsonElement> GetAsync(SignedInClient owner, string path)
    {
        using var response = await owner.Http.GetAsync(new Uri(path, UriKind.Relative));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }
}
