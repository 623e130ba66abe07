using System.Net.Http.Json;
using System.Text.Json;
using Iris.Camera.Events;
using Iris.Camera.Link;
using Iris.Camera.Media;
using Iris.Camera.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Link;

/// <summary>
/// IoT-1005-1 5.1.1.3: remote commands over MQTT are signed by a key the administrator paired with a one-time
/// code and a role. A signed command works once; its replay (also after a restart), a copy for another serial,
/// an expired, a tampered, an unsigned one, one from a revoked key and a Viewer key asking for an Administrator
/// action are refused and logged; every answer is signed by the device key.
/// </summary>
public sealed class RemoteCommandTests
{
    [Fact]
    public async Task SignedCommand_WorksOnce_AndEveryForgeryIsRefusedAndLogged()
    {
        await using var setup = await LinkedCamera.StartAsync();
        using var owner = await setup.Camera.ClaimAsync();
        using var admin = new OwnerApp();
        using var viewer = new OwnerApp();
        await PairAsync(setup, owner, admin, "Administrator");
        await PairAsync(setup, owner, viewer, "Viewer");
        var serial = setup.Serial;

        var command = admin.Command(serial, "privacy-on");
        var first = await SendAsync(setup, command);
        Assert.Equal("done", first.GetProperty("status").GetString());
        Assert.True(setup.Camera.App.Services.GetRequiredService<PrivacyMode>().Enabled);

        var refusals = new Dictionary<string, string>
        {
            ["replayed"] = command,
            ["command is for another device"] = admin.Command("DEV-SOMEONEELSE", "privacy-off"),
            ["expired or outside its validity window"] = admin.Sign(OwnerApp.CommandBody(serial, "privacy-off", DateTimeOffset.UtcNow.AddMinutes(-10), TimeSpan.FromMinutes(1))),
            ["bad signature"] = Tampered(admin.Command(serial, "privacy-on"), "privacy-on", "privacy-off"),
            ["unsigned"] = JsonSerializer.Serialize(new { payload = OwnerApp.Encode(OwnerApp.CommandBody(serial, "privacy-off", DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1))), keyId = admin.KeyId }),
            ["role Viewer may not privacy-off"] = viewer.Command(serial, "privacy-off"),
        };
        foreach (var (reason, envelope) in refusals)
        {
            var answer = await SendAsync(setup, envelope);
            Assert.Equal("refused", answer.GetProperty("status").GetString());
            Assert.Equal(reason, answer.GetProperty("detail").GetString());
        }

        Assert.Equal("done", (await SendAsync(setup, viewer.Command(serial, "status"))).GetProperty("status").GetString());
        using (var revoke = await owner.Http.DeleteAsync(new Uri($"/api/link/keys/{admin.KeyId}", UriKind.Relative)))
        {
            Assert.True(revoke.IsSuccessStatusCode);
        }

        var afterRevoke = await SendAsync(setup, admin.Command(serial, "privacy-off"));
        Assert.Equal("unknown or revoked key", afterRevoke.GetProperty("detail").GetString());
        Assert.True(setup.Camera.App.Services.GetRequiredService<PrivacyMode>().Enabled, "no refused command may have changed anything");

        var logged = setup.Camera.App.Services.GetRequiredService<SecurityEventLog>().Read(0, 10_000).Where(e => e.Kind == RemoteCommands.RefusedKind).ToList();
        Assert.Equal(refusals.Count + 1, logged.Count);
    }

    [Fact]
    public async Task ReplayedCommand_IsRefusedAfterARestartToo()
    {
        await using var setup = await LinkedCamera.StartAsync();
        using var owner = await setup.Camera.ClaimAsync();
        using var admin = new OwnerApp();
        await PairAsync(setup, owner, admin, "Administrator");
        var command = admin.Command(setup.Serial, "privacy-on");
        Assert.Equal("done", (await SendAsync(setup, command)).GetProperty("status").GetString());

        await setup.RestartCameraAsync();

        Assert.Equal("replayed", (await SendAsync(setup, command)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task SnapshotCommand_CarriesTheJpegAndItsHashInsideTheSignedAnswer_AndIsRefusedInPrivacyMode()
    {
        await using var setup = await LinkedCamera.StartAsync();
        using var owner = await setup.Camera.ClaimAsync();
        using var viewer = new OwnerApp();
        using var admin = new OwnerApp();
        await PairAsync(setup, owner, viewer, "Viewer");
        await PairAsync(setup, owner, admin, "Administrator");

        var answer = await SendAsync(setup, viewer.Command(setup.Serial, "snapshot"));

        Assert.Equal("done", answer.GetProperty("status").GetString());
        var picture = answer.GetProperty("snapshot");
        var jpeg = Convert.FromBase64String(picture.GetProperty("jpeg").GetString()!);
        Assert.Equal([0xFF, 0xD8], jpeg[..2]);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(jpeg)), picture.GetProperty("sha256").GetString());
        Assert.True(picture.GetProperty("width").GetInt32() > 0);

        Assert.Equal("done", (await SendAsync(setup, admin.Command(setup.Serial, "privacy-on"))).GetProperty("status").GetString());
        var refused = await SendAsync(setup, viewer.Command(setup.Serial, "snapshot"));
        Assert.Equal("refused", refused.GetProperty("status").GetString());
        Assert.Equal("privacy mode is on", refused.GetProperty("detail").GetString());
        Assert.False(refused.TryGetProperty("snapshot", out _));
    }

    [Fact]
    public async Task WrongPairingCode_IsRefused_AndBindsNoKey()
    {
        await using var setup = await LinkedCamera.StartAsync();
        using var owner = await setup.ClaimConnectedAsync();
        using var app = new OwnerApp();
        using (await owner.Http.PostAsJsonAsync(new Uri("/api/link/pairing", UriKind.Relative), new { role = "Administrator", label = "phone" }))
        {
        }

        var answer = await PublishAndAwaitAsync(setup, $"iris/{setup.Serial}/pair", app.PairingRequest("WRONGCODE2"), a => a.GetProperty("commandId").ValueKind == JsonValueKind.Null);

        Assert.Equal("refused", answer.GetProperty("status").GetString());
        Assert.Equal("unknown or revoked key", (await SendAsync(setup, app.Command(setup.Serial, "privacy-on"))).GetProperty("detail").GetString());
    }

    internal static async Task PairAsync(LinkedCamera setup, SignedInClient owner, OwnerApp app, string role)
    {
        await LinkBrokerTests.WaitForStateAsync(owner, "connected");
        using var response = await owner.Http.PostAsJsonAsync(new Uri("/api/link/pairing", UriKind.Relative), new { role, label = role + " phone" });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var code = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString()!;

        var answer = await PublishAndAwaitAsync(setup, $"iris/{setup.Serial}/pair", app.PairingRequest(code), a => a.GetProperty("detail").GetString() == app.KeyId);

        Assert.Equal("paired", answer.GetProperty("status").GetString());
    }

    internal static Task<JsonElement> SendAsync(LinkedCamera setup, string envelope)
    {
        var commandId = JsonDocument.Parse(OwnerApp.Decode(JsonDocument.Parse(envelope).RootElement.GetProperty("payload").GetString()!)).RootElement.GetProperty("commandId").GetString();
        var seen = setup.Platform.Received.Count(m => m.Topic.EndsWith("/results", StringComparison.Ordinal));
        return PublishAndAwaitAsync(setup, $"iris/{setup.Serial}/commands", envelope, a => a.GetProperty("commandId").GetString() == commandId, seen);
    }

    /// <summary>Publishes as the platform and returns the first signed answer (verified against the device certificate) that matches.</summary>
    internal static async Task<JsonElement> PublishAndAwaitAsync(LinkedCamera setup, string topic, string message, Func<JsonElement, bool> match, int skip = 0)
    {
        var before = skip == 0 ? setup.Platform.Received.Count(m => m.Topic.EndsWith("/results", StringComparison.Ordinal)) : skip;
        await HomeAssistantCommandTests.PublishAsync(setup.Platform, topic, message);
        JsonElement? found = null;
        await setup.Platform.WaitUntilAsync(p =>
        {
            found = p.Received.Where(m => m.Topic == $"iris/{setup.Serial}/results").Skip(before)
                .Select(m => OwnerApp.VerifyResult(m.Payload, setup.Camera.Certificate)).Cast<JsonElement?>().FirstOrDefault(a => match(a!.Value));
            return found is not null;
        }, TimeSpan.FromSeconds(20), "the signed answer");
        Assert.Equal(setup.Serial, found!.Value.GetProperty("serial").GetString());
        return found.Value;
    }

    /// <summary>The envelope with its payload changed after signing (the signature is kept).</summary>
    private static string Tampered(string envelope, string from, string to)
    {
        var root = JsonDocument.Parse(envelope).RootElement;
        var body = OwnerApp.Utf8(OwnerApp.Decode(root.GetProperty("payload").GetString()!)).Replace(from, to, StringComparison.Ordinal);
        return JsonSerializer.Serialize(new
        {
            payload = OwnerApp.Encode(System.Text.Encoding.UTF8.GetBytes(body)),
            keyId = root.GetProperty("keyId").GetString(),
            signature = root.GetProperty("signature").GetString(),
        });
    }
}
