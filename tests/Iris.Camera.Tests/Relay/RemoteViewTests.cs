using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Iris.Camera.Link;
using Iris.Camera.Media;
using Iris.Camera.Tests.Link;
using Iris.Camera.Tests.Support;
using Iris.Relay;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Iris.Camera.Tests.Relay;

/// <summary>
/// Issue 15, deliver 5: end-to-end encrypted remote view through Iris.Relay. A Viewer key paired with the camera
/// sends a signed "remote-view-start" over the real broker; the camera connects out to the relay with its device
/// certificate and answers (signed) with a viewer token and its ephemeral key. Chromium plays the stream through
/// the relay's viewer page (WebCrypto + MSE); a viewer written from the protocol document shows the relay only
/// ever forwards ciphertext that opens with the session key alone; stop, privacy mode, key revocation and expiry
/// end the session.
/// </summary>
public sealed class RemoteViewTests
{
    [Fact]
    public async Task RemoteView_PlaysInChromiumThroughTheRelay_WithVideoAndSound()
    {
        await using var rig = await RemoteViewRig.StartAsync();
        using var viewer = new RemoteViewer();
        var (sessionId, grant) = await rig.StartAsync(rig.ViewerApp, viewer);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(Iris.Camera.Tests.Web.WebUiTests.LaunchOptions());
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true });
        var page = await context.NewPageAsync();
        var fragment = $"#s={sessionId}&t={grant.GetProperty("token").GetString()}&n={rig.Setup.Serial}&k={viewer.PrivateKey}&c={grant.GetProperty("cameraKey").GetString()}";
        await page.GotoAsync(rig.Relay.Page + fragment);

        await page.WaitForFunctionAsync("""
            () => {
              const v = document.getElementById('viewer-video');
              if (!v.src.startsWith('blob:') || v.readyState < 2) return false;
              if (window.irisFirstTime === undefined) { window.irisFirstTime = v.currentTime; return false; }
              return v.currentTime > window.irisFirstTime + 2 && v.webkitVideoDecodedByteCount > 0 && v.webkitAudioDecodedByteCount > 0;
            }
            """, null, new PageWaitForFunctionOptions { PollingInterval = 100, Timeout = 45_000 });
        Assert.Equal(320, await page.Locator("#viewer-video").EvaluateAsync<int>("v => v.videoWidth"));
        Assert.Equal("Playing (end-to-end encrypted).", await page.Locator("#viewer-state").TextContentAsync());
        // The keys were in the fragment only, and the page took them out of the address bar.
        Assert.DoesNotContain(viewer.PrivateKey, page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheRelayForwardsCiphertextThatOpensOnlyWithTheSessionKey_AndHoldsNoKey()
    {
        await using var rig = await RemoteViewRig.StartAsync();
        using var viewer = new RemoteViewer();
        var (sessionId, grant) = await rig.StartAsync(rig.ViewerApp, viewer);
        var relaySession = rig.Relay.App.Services.GetRequiredService<RelaySessions>().Find(sessionId)!;

        using var socket = await rig.Relay.ConnectAsync(rig.Relay.ViewerUri(sessionId, grant.GetProperty("token").GetString()));
        var (forwarded, _, _) = await RunningRelay.ReadAsync(socket, 8, TimeSpan.FromSeconds(30));
        Assert.Equal(8, forwarded.Count);

        var key = viewer.SessionKey(grant.GetProperty("cameraKey").GetString()!, sessionId, rig.Setup.Serial);
        var opened = forwarded.Select(m => RemoteViewer.Open(key, m, sessionId)).ToList();
        Assert.Equal(1, opened[0].Plain[0]);
        Assert.Equal("ftyp", System.Text.Encoding.ASCII.GetString(opened[0].Plain, 5, 4));
        Assert.All(opened.Skip(1), o => Assert.Equal("moof", System.Text.Encoding.ASCII.GetString(o.Plain, 5, 4)));
        Assert.Equal(opened.Select(o => o.Counter).Order(), opened.Select(o => o.Counter));
        // What the relay forwarded carries no readable box: the plaintext's box names are nowhere in it.
        Assert.All(forwarded, m => Assert.Equal(-1, m.AsSpan().IndexOf("moof"u8)));
        Assert.All(forwarded, m => Assert.Equal(-1, m.AsSpan().IndexOf("mdat"u8)));

        // Another viewer key (say, the relay's own guess), a random key, and the right key with another session id all fail.
        using var stranger = new RemoteViewer();
        foreach (var (wrong, session) in new[]
        {
            (stranger.SessionKey(grant.GetProperty("cameraKey").GetString()!, sessionId, rig.Setup.Serial), sessionId),
            (RandomNumberGenerator.GetBytes(32), sessionId),
            (key, RemoteViewer.NewSessionId()),
        })
        {
            Assert.Throws<AuthenticationTagMismatchException>(() => RemoteViewer.Open(wrong, forwarded[1], session));
        }

        // The relay holds the device certificate's public key (to check tokens), never the camera's ephemeral key.
        using var devicePublicKey = rig.Setup.Camera.Certificate.GetECDsaPublicKey()!;
        Assert.Equal(devicePublicKey.ExportSubjectPublicKeyInfo(), relaySession.CameraKey);
        Assert.NotEqual(OwnerApp.Decode(grant.GetProperty("cameraKey").GetString()!), relaySession.CameraKey);
    }

    [Fact]
    public async Task StopPrivacyModeKeyRevocationAndExpiry_EachEndTheRemoteView()
    {
        await using var rig = await RemoteViewRig.StartAsync(limit: "00:00:08");
        var remoteView = rig.Setup.Camera.App.Services.GetRequiredService<RemoteView>();
        var ended = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        remoteView.Ended += (session, reason) => ended[session] = reason;

        async Task<string> EndedByAsync(OwnerApp app, Func<string, Task> end)
        {
            using var viewer = new RemoteViewer();
            var (sessionId, grant) = await rig.StartAsync(app, viewer);
            using var socket = await rig.Relay.ConnectAsync(rig.Relay.ViewerUri(sessionId, grant.GetProperty("token").GetString()));
            var (first, _, _) = await RunningRelay.ReadAsync(socket, 1, TimeSpan.FromSeconds(20));
            Assert.Single(first);
            await end(sessionId);
            var (_, closed, _) = await RunningRelay.ReadAsync(socket, int.MaxValue, TimeSpan.FromSeconds(20));
            Assert.Equal(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, closed);
            // The camera closed first; its bookkeeping finishes right after.
            for (var i = 0; i < 100 && !ended.ContainsKey(sessionId); i++)
            {
                await Task.Delay(50, CancellationToken.None);
            }

            Assert.Equal(0, remoteView.Active);
            return ended[sessionId];
        }

        Assert.Equal("stopped by command", await EndedByAsync(rig.ViewerApp, async session =>
        {
            var stop = await RemoteCommandTests.SendAsync(rig.Setup, rig.ViewerApp.Sign(RemoteViewRig.Body(rig.Setup.Serial, "remote-view-stop", session)));
            Assert.Equal("remote view stopped", stop.GetProperty("detail").GetString());
        }));

        Assert.Equal("privacy mode was turned on", await EndedByAsync(rig.ViewerApp, async _ =>
            Assert.Equal("done", (await RemoteCommandTests.SendAsync(rig.Setup, rig.AdminApp.Command(rig.Setup.Serial, "privacy-on"))).GetProperty("status").GetString())));
        using (var refusedViewer = new RemoteViewer())
        {
            var refused = await RemoteCommandTests.SendAsync(rig.Setup, rig.ViewerApp.Sign(RemoteViewRig.Body(rig.Setup.Serial, "remote-view-start", RemoteViewer.NewSessionId(), rig.Relay.Wss, refusedViewer.PublicKey)));
            Assert.Equal("privacy mode is on", refused.GetProperty("detail").GetString());
        }

        Assert.Equal("done", (await RemoteCommandTests.SendAsync(rig.Setup, rig.AdminApp.Command(rig.Setup.Serial, "privacy-off"))).GetProperty("status").GetString());

        using var second = new OwnerApp();
        await RemoteCommandTests.PairAsync(rig.Setup, rig.Owner, second, "Viewer");
        Assert.Equal("the key that started it was revoked", await EndedByAsync(second, async _ =>
        {
            using var revoke = await rig.Owner.Http.DeleteAsync(new Uri($"/api/link/keys/{second.KeyId}", UriKind.Relative));
            Assert.True(revoke.IsSuccessStatusCode);
        }));

        Assert.Equal("the session expired", await EndedByAsync(rig.ViewerApp, _ => Task.CompletedTask));
    }
}

/// <summary>A linked camera with an ffmpeg live feed (H.264 + AAC), a relay whose certificate the link's CA issued and that trusts the camera's certificate, and paired Viewer and Administrator keys.</summary>
internal sealed class RemoteViewRig : IAsyncDisposable
{
    private RemoteViewRig(LinkedCamera setup, RunningRelay relay, SignedInClient owner, OwnerApp viewerApp, OwnerApp adminApp)
    {
        Setup = setup;
        Relay = relay;
        Owner = owner;
        ViewerApp = viewerApp;
        AdminApp = adminApp;
    }

    public LinkedCamera Setup { get; }

    public RunningRelay Relay { get; }

    public SignedInClient Owner { get; }

    public OwnerApp ViewerApp { get; }

    public OwnerApp AdminApp { get; }

    public static async Task<RemoteViewRig> StartAsync(string limit = "00:10:00")
    {
        var feed = new FfmpegLiveFeed(width: 320, height: 240, rate: 10);
        var setup = await LinkedCamera.StartAsync(extra: new Dictionary<string, string?> { ["Iris:Cloud:RemoteViewLimit"] = limit },
            configure: builder => builder.Services.AddSingleton<ILiveMediaFeed>(feed));
        var relay = await RunningRelay.StartAsync(setup.Broker.Ca, setup.Broker.CaKey, [setup.Camera.Certificate]);
        var owner = await setup.Camera.ClaimAsync();
        var (viewerApp, adminApp) = (new OwnerApp(), new OwnerApp());
        await RemoteCommandTests.PairAsync(setup, owner, viewerApp, "Viewer");
        await RemoteCommandTests.PairAsync(setup, owner, adminApp, "Administrator");
        return new RemoteViewRig(setup, relay, owner, viewerApp, adminApp);
    }

    /// <summary>Sends a signed remote-view-start and returns the session id and the verified grant in the signed answer.</summary>
    public async Task<(string SessionId, JsonElement Grant)> StartAsync(OwnerApp app, RemoteViewer viewer)
    {
        var sessionId = RemoteViewer.NewSessionId();
        var answer = await RemoteCommandTests.SendAsync(Setup, app.Sign(Body(Setup.Serial, "remote-view-start", sessionId, Relay.Wss, viewer.PublicKey)));
        Assert.True(answer.GetProperty("status").GetString() == "done", answer.ToString());
        var grant = answer.GetProperty("remoteView");
        Assert.Equal(sessionId, grant.GetProperty("sessionId").GetString());
        return (sessionId, grant);
    }

    public static byte[] Body(string serial, string action, string sessionId, string? relay = null, string? viewerKey = null) =>
        JsonSerializer.SerializeToUtf8Bytes(new
        {
            serial,
            commandId = Guid.NewGuid().ToString("N"),
            issuedAt = DateTimeOffset.UtcNow,
            expiresAt = DateTimeOffset.UtcNow.AddMinutes(1),
            nonce = OwnerApp.Encode(RandomNumberGenerator.GetBytes(16)),
            action,
            relay,
            sessionId,
            viewerKey,
        });

    public async ValueTask DisposeAsync()
    {
        ViewerApp.Dispose();
        AdminApp.Dispose();
        Owner.Dispose();
        await Setup.DisposeAsync();
        await Relay.DisposeAsync();
    }
}
