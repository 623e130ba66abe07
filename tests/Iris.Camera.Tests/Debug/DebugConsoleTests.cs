using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Iris.Camera.Debug;
using Iris.Camera.Events;
using Iris.Camera.Identity;
using Iris.Camera.Tests.Support;
using Iris.Factory.DebugTokens;
using Iris.Firmware.Metadata;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Iris.Camera.Tests.Debug;

/// <summary>Issue 13, point 7 (IoT-1005-1 5.5.1.1): the debug console opens only for an administrator with a vendor token.</summary>
public sealed class DebugConsoleTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ECDsa _vendorKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public DebugConsoleTests() => File.WriteAllText(_dir.Combine("debug.pub.pem"), _vendorKey.ExportSubjectPublicKeyInfoPem());

    private string FlagFile => _dir.Combine("debug-unlocked");

    [Fact]
    public async Task Console_IsClosedByDefault_AndAnonymousCallersCannotEvenAskForANonce()
    {
        await using var camera = await StartAsync();
        using var admin = await camera.ClaimAsync();

        var state = await admin.Http.GetFromJsonAsync<JsonElement>(Api("/api/debug"));
        using var anonymous = await camera.Client.PostAsync(Api("/api/debug/nonce"), null);

        Assert.False(state.GetProperty("open").GetBoolean());
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.False(File.Exists(FlagFile));
    }

    [Fact]
    public async Task TokenSignedByAnotherKey_OrGarbage_IsRefused()
    {
        await using var camera = await StartAsync();
        using var admin = await camera.ClaimAsync();
        var (serial, nonce) = await NonceAsync(admin);
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var now = DateTimeOffset.UtcNow;

        using var forged = await UnlockAsync(admin, DebugTokenCommands.Sign(new EcdsaMetadataSigner(stranger), serial, nonce, now, now.AddHours(1)));
        using var garbage = await UnlockAsync(admin, "not-a-token");

        await ProblemAssert.IsAsync(forged, HttpStatusCode.Forbidden, "urn:iris:problem:debug-token-invalid");
        await ProblemAssert.IsAsync(garbage, HttpStatusCode.Forbidden, "urn:iris:problem:debug-token-invalid");
        Assert.False(Console(camera).IsOpen);
        var refusals = camera.App.Services.GetRequiredService<SecurityEventLog>().Read(0, 1000).Where(e => e.Kind == "debug-unlock-refused").ToList();
        Assert.Equal(2, refusals.Count);
        Assert.All(refusals, e => Assert.Equal("admin", e.Account));
    }

    [Fact]
    public async Task TokenForAnotherSerial_IsRefused()
    {
        await using var camera = await StartAsync();
        using var admin = await camera.ClaimAsync();
        var (_, nonce) = await NonceAsync(admin);
        var now = DateTimeOffset.UtcNow;

        using var response = await UnlockAsync(admin, Sign("IC2-000000019", nonce, now, now.AddHours(1)));

        await ProblemAssert.IsAsync(response, HttpStatusCode.Forbidden, "urn:iris:problem:debug-token-wrong-device");
        Assert.False(Console(camera).IsOpen);
    }

    [Fact]
    public async Task ExpiredToken_IsRefused_AndSoIsOneGrantingMoreThan24Hours()
    {
        await using var camera = await StartAsync();
        using var admin = await camera.ClaimAsync();
        var now = DateTimeOffset.UtcNow;
        var (serial, nonce) = await NonceAsync(admin);
        var (_, secondNonce) = await NonceAsync(admin);

        using var expired = await UnlockAsync(admin, Sign(serial, nonce, now.AddHours(-2), now.AddMinutes(-1)));
        using var tooLong = await UnlockAsync(admin, Sign(serial, secondNonce, now, now.AddHours(25)));

        await ProblemAssert.IsAsync(expired, HttpStatusCode.Forbidden, "urn:iris:problem:debug-token-expired");
        await ProblemAssert.IsAsync(tooLong, HttpStatusCode.Forbidden, "urn:iris:problem:debug-token-too-long");
        Assert.False(Console(camera).IsOpen);
    }

    [Fact]
    public async Task TokenIssuedInTheFuture_OrEndingBeforeItsIssue_IsRefused()
    {
        await using var camera = await StartAsync();
        using var admin = await camera.ClaimAsync();
        var now = DateTimeOffset.UtcNow;
        var (serial, nonce) = await NonceAsync(admin);
        var (_, secondNonce) = await NonceAsync(admin);

        // One hour's grant "issued" in ten days would keep the console open for ten days from now.
        using var future = await UnlockAsync(admin, Sign(serial, nonce, now.AddDays(10), now.AddDays(10).AddHours(1)));
        using var backwards = await UnlockAsync(admin, Sign(serial, secondNonce, now.AddHours(1), now.AddMinutes(30)));

        await ProblemAssert.IsAsync(future, HttpStatusCode.Forbidden, "urn:iris:problem:debug-token-too-long");
        await ProblemAssert.IsAsync(backwards, HttpStatusCode.Forbidden, "urn:iris:problem:debug-token-too-long");
        Assert.False(Console(camera).IsOpen);
    }

    [Fact]
    public async Task ReplayedNonce_IsRefused_AndSoIsANonceTheDeviceNeverIssued()
    {
        await using var camera = await StartAsync();
        using var admin = await camera.ClaimAsync();
        var now = DateTimeOffset.UtcNow;
        var (serial, nonce) = await NonceAsync(admin);
        var token = Sign(serial, nonce, now, now.AddHours(1));
        using (var first = await UnlockAsync(admin, token))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using (var close = await admin.Http.PostAsync(Api("/api/debug/close"), null))
        {
            Assert.Equal(HttpStatusCode.NoContent, close.StatusCode);
        }

        using var replayed = await UnlockAsync(admin, token);
        using var invented = await UnlockAsync(admin, Sign(serial, "00112233445566778899aabbccddeeff", now, now.AddHours(1)));

        await ProblemAssert.IsAsync(replayed, HttpStatusCode.Forbidden, "urn:iris:problem:debug-token-nonce");
        await ProblemAssert.IsAsync(invented, HttpStatusCode.Forbidden, "urn:iris:problem:debug-token-nonce");
        Assert.False(Console(camera).IsOpen);
    }

    [Fact]
    public async Task ValidToken_OpensUntilItsExpiry_ThenCloses_AndEveryUseIsLoggedAndAlerted()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var camera = await StartAsync(time);
        using var admin = await camera.ClaimAsync();
        var (serial, nonce) = await NonceAsync(admin);
        var now = time.GetUtcNow();

        using var opened = await UnlockAsync(admin, Sign(serial, nonce, now, now.AddHours(2)));

        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
        Assert.True(Console(camera).IsOpen);
        Assert.True(File.Exists(FlagFile), "the systemd path unit starts the console while the flag file exists");
        time.Advance(TimeSpan.FromHours(2) + TimeSpan.FromSeconds(1));
        Assert.False(Console(camera).IsOpen);
        Assert.False(File.Exists(FlagFile));
        var kinds = camera.App.Services.GetRequiredService<SecurityEventLog>().Read(0, 1000).Select(e => e.Kind).ToList();
        Assert.Contains("debug-console-opened", kinds);
        Assert.Contains("debug-console-closed", kinds);
        var alerts = camera.App.Services.GetRequiredService<AlertCenter>().Inbox(true, 200).Select(a => a.Kind).ToList();
        Assert.Contains("debug-console-opened", alerts);
        Assert.Contains("debug-console-closed", alerts);
    }

    [Fact]
    public async Task Restart_ClosesTheConsole_AndRemovesALeftoverFlag()
    {
        var data = _dir.Combine("data");
        await using (var camera = await StartAsync(dataDirectory: data))
        {
            using var admin = await camera.ClaimAsync();
            var (serial, nonce) = await NonceAsync(admin);
            using var opened = await UnlockAsync(admin, Sign(serial, nonce, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddHours(1)));
            Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
        }

        File.WriteAllText(FlagFile, "left by a crash\n");
        await using var restarted = await StartAsync(dataDirectory: data);

        Assert.False(Console(restarted).IsOpen);
        Assert.False(File.Exists(FlagFile));
    }

    [Fact]
    public async Task WithoutAVendorKey_NoTokenOpensTheConsole()
    {
        await using var camera = await InProcessCamera.StartAsync();
        using var admin = await camera.ClaimAsync();
        var (serial, nonce) = await NonceAsync(admin);

        using var response = await UnlockAsync(admin, Sign(serial, nonce, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddHours(1)));

        await ProblemAssert.IsAsync(response, HttpStatusCode.Conflict, "urn:iris:problem:debug-disabled");
    }

    public void Dispose()
    {
        _vendorKey.Dispose();
        _dir.Dispose();
    }

    private Task<InProcessCamera> StartAsync(TimeProvider? time = null, string? dataDirectory = null) =>
        InProcessCamera.StartAsync(dataDirectory, builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Iris:Debug:VendorKeyFile"] = _dir.Combine("debug.pub.pem"),
            ["Iris:Debug:UnlockFlagFile"] = FlagFile,
        }), time);

    private string Sign(string serial, string nonce, DateTimeOffset issuedAt, DateTimeOffset expiresAt) =>
        DebugTokenCommands.Sign(new EcdsaMetadataSigner(_vendorKey), serial, nonce, issuedAt, expiresAt);

    private static DebugConsole Console(InProcessCamera camera) => camera.App.Services.GetRequiredService<DebugConsole>();

    private static async Task<(string Serial, string Nonce)> NonceAsync(SignedInClient admin)
    {
        using var response = await admin.Http.PostAsync(Api("/api/debug/nonce"), null);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("serial").GetString()!, body.GetProperty("nonce").GetString()!);
    }

    private static Task<HttpResponseMessage> UnlockAsync(SignedInClient admin, string token) =>
        admin.Http.PostAsJsonAsync(Api("/api/debug/unlock"), new { token });

    private static Uri Api(string path) => new(path, UriKind.Relative);
}
