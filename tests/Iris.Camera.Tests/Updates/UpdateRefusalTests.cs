using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Iris.Camera.Tests.Support;
using Iris.Camera.Updates;
using Iris.Firmware.Durable;
using Iris.Firmware.Metadata;
using Iris.Firmware.Repository;
using Iris.Firmware.Slots;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Iris.Camera.Tests.Updates;

/// <summary>
/// IoT-1005-1 5.3.1.1-5.3.1.3 through the daemon's API against a real HTTPS repository: every kind of bad
/// update is refused with a clear status, and the running slot stays exactly as it was.
/// </summary>
public sealed class UpdateRefusalTests
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) } };

    public enum Attack
    {
        TamperedChunk,
        SwappedChunks,
        TruncatedBundle,
        OversizedDownload,
        WrongKey,
        OlderVersion,
        LowerSecurityVersion,
        WrongModel,
        StaleMetadata,
        BelowThreshold,
    }

    [Theory]
    [InlineData(Attack.TamperedChunk, UpdateCode.Mismatch, "does not match the signed hash")]
    [InlineData(Attack.SwappedChunks, UpdateCode.Mismatch, "does not match the signed hash")]
    [InlineData(Attack.TruncatedBundle, UpdateCode.Unreachable, "download stopped at")]
    [InlineData(Attack.OversizedDownload, UpdateCode.TooLarge, "endless data")]
    [InlineData(Attack.WrongKey, UpdateCode.NotForThisDevice, "not wrapped for this device")]
    [InlineData(Attack.OlderVersion, UpdateCode.OlderVersion, "older than the installed")]
    [InlineData(Attack.LowerSecurityVersion, UpdateCode.LowerSecurityVersion, "below this device's")]
    [InlineData(Attack.WrongModel, UpdateCode.WrongModel, "no release in the repository is for model")]
    [InlineData(Attack.StaleMetadata, UpdateCode.Expired, "expired")]
    [InlineData(Attack.BelowThreshold, UpdateCode.BelowThreshold, "required")]
    public async Task BadUpdate_IsRefused_WithAClearStatus_AndTheRunningSlotUntouched(Attack attack, UpdateCode expected, string message)
    {
        await using var repo = new UpdateTestRepository();
        await repo.StartServerAsync();
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var source = repo.ScriptApplication("v2", "exit 0");
        var target = attack switch
        {
            Attack.OlderVersion => await repo.PublishAsync(source, "0.0.9", entry: "start.sh"),
            Attack.LowerSecurityVersion => await repo.PublishAsync(source, "0.2.0", securityVersion: 1, entry: "start.sh"),
            Attack.WrongModel => await repo.PublishAsync(source, "0.2.0", entry: "start.sh", model: "Some Other Camera"),
            Attack.WrongKey => await repo.PublishAsync(source, "0.2.0", entry: "start.sh", recipient: System.Security.Cryptography.ECDiffieHellman.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256).ExportSubjectPublicKeyInfo()),
            _ => await repo.PublishAsync(source, "0.2.0", entry: "start.sh", chunkSize: 4096),
        };
        await DamageAsync(repo, target, attack);
        await using var device = await SlottedCamera.StartAsync(repo, dir, time, securityCounter: attack == Attack.LowerSecurityVersion ? 2 : 1);
        var before = device.Slots.Load()!;
        if (attack == Attack.StaleMetadata)
        {
            time.Advance(RoleLifetimes.Default.Timestamp + TimeSpan.FromHours(1));
        }

        var result = await device.CheckAndInstallAsync();

        Assert.Equal(expected, result.Result);
        Assert.Contains(message, result.Message, StringComparison.Ordinal);
        var after = device.Slots.Load()!;
        Assert.Equal(before.A, after.A);
        Assert.Equal(before.SecurityCounter, after.SecurityCounter);
        Assert.Equal("a", BootDecisions.Choose(after)!.Slot);
        Assert.True(File.Exists(Path.Combine(device.BootDirectory, "slots", "a", "start.sh")));
        Assert.False(Directory.Exists(Path.Combine(device.BootDirectory, "slots", "b")) && after.B.Entry.Length > 0);
    }

    [Fact]
    public async Task AttackRefusals_AreSecurityEvents_AndRaiseAnAlert()
    {
        await using var repo = new UpdateTestRepository();
        await repo.StartServerAsync();
        using var dir = new TempDirectory();
        var target = await repo.PublishAsync(repo.ScriptApplication("v2", "exit 0"), "0.2.0", entry: "start.sh");
        await DamageAsync(repo, target, Attack.TamperedChunk);
        await using var device = await SlottedCamera.StartAsync(repo, dir);

        await device.CheckAndInstallAsync();

        var events = await device.Admin.Http.GetStringAsync(new Uri("/api/security/events", UriKind.Relative));
        var alerts = await device.Admin.Http.GetStringAsync(new Uri("/api/security/alerts", UriKind.Relative));
        Assert.Contains("update-refused", events, StringComparison.Ordinal);
        Assert.Contains("update-refused", alerts, StringComparison.Ordinal);
    }

    private static async Task DamageAsync(UpdateTestRepository repo, TargetEntry target, Attack attack)
    {
        var served = repo.ServedPath(target);
        var bytes = await File.ReadAllBytesAsync(served);
        const int chunk = 4096 + 16;
        const int header = Iris.Firmware.Payload.PayloadFormat.HeaderLength;
        switch (attack)
        {
            case Attack.TamperedChunk:
                bytes[header + 10] ^= 0x01;
                break;
            case Attack.SwappedChunks:
                Assert.True(bytes.Length > header + (2 * chunk), "the bundle needs two full chunks");
                var first = bytes.AsSpan(header, chunk).ToArray();
                bytes.AsSpan(header + chunk, chunk).CopyTo(bytes.AsSpan(header));
                first.CopyTo(bytes.AsSpan(header + chunk));
                break;
            case Attack.TruncatedBundle:
                bytes = bytes[..(bytes.Length / 2)];
                break;
            case Attack.OversizedDownload:
                bytes = [.. bytes, .. new byte[4 << 20]];
                break;
            case Attack.BelowThreshold:
                // The targets role now needs two signatures; the repository keeps signing with one.
                var next = RepositoryPublisher.NewRoot(2, DateTimeOffset.UtcNow.AddDays(365), new Dictionary<string, (IReadOnlyList<IMetadataSigner>, int)>
                {
                    [RoleName.Root] = (repo.RootSigners, 1),
                    [RoleName.Targets] = ([.. repo.Keys.Targets, .. UpdateTestRepository.NewSigners(1)], 2),
                    [RoleName.Snapshot] = (repo.Keys.Snapshot, 1),
                    [RoleName.Timestamp] = (repo.Keys.Timestamp, 1),
                });
                // Written past the factory, which refuses to publish what devices would refuse.
                await File.WriteAllBytesAsync(Path.Combine(repo.RepositoryDirectory, RepositoryClient.RootPath(2)), MetadataWriter.Sign(next, repo.RootSigners));
                return;
            default:
                return;
        }

        await File.WriteAllBytesAsync(served, bytes);
    }
}

/// <summary>
/// An in-process camera started as Iris.Boot would start it from slot a, pointed at a test repository;
/// <c>prepareSlots</c> may change the slot record first (what earlier boots left in it).
/// </summary>
public sealed class SlottedCamera : IAsyncDisposable
{
    private SlottedCamera(InProcessCamera camera, SignedInClient admin, string bootDirectory)
    {
        Camera = camera;
        Admin = admin;
        BootDirectory = bootDirectory;
        Slots = new SlotRecordStore(DiskFileSystem.Instance, bootDirectory);
    }

    public InProcessCamera Camera { get; }

    public SignedInClient Admin { get; }

    public string BootDirectory { get; }

    public SlotRecordStore Slots { get; }

    public static async Task<SlottedCamera> StartAsync(UpdateTestRepository repo, TempDirectory dir, TimeProvider? time = null, long securityCounter = 1,
        Action<WebApplicationBuilder>? configure = null, TimeSpan? firstCheckDelay = null, Action<SlotRecordStore>? prepareSlots = null)
    {
        var boot = dir.Combine("boot");
        UpdateTestRepository.ProvisionSlots(boot, repo.ScriptApplication($"factory-{Guid.NewGuid():N}", "exit 0"), "start.sh", "0.1.0", securityCounter);
        prepareSlots?.Invoke(new SlotRecordStore(DiskFileSystem.Instance, boot));
        var settings = repo.CameraSettings();
        settings["Iris:Boot:Directory"] = boot;
        settings["Iris:Boot:Slot"] = "a";
        settings["Iris:Updates:FirstCheckDelay"] = (firstCheckDelay ?? TimeSpan.FromDays(30)).ToString("c", System.Globalization.CultureInfo.InvariantCulture);
        var camera = await InProcessCamera.StartAsync(dir.Combine("data"), b =>
        {
            b.Configuration.AddInMemoryCollection(settings);
            configure?.Invoke(b);
        }, time);
        var admin = await camera.ClaimAsync();
        return new SlottedCamera(camera, admin, boot);
    }

    public async Task<UpdateStatusView> StatusAsync(SignedInClient? client = null) =>
        (await (client ?? Admin).Http.GetFromJsonAsync<UpdateStatusView>(new Uri("/api/updates", UriKind.Relative), UpdateRefusalTests.Json))!;

    /// <summary>"Check now", then "install" when something is offered; returns the step that decided.</summary>
    public async Task<UpdateResultView> CheckAndInstallAsync()
    {
        // The session may have outlived a clock the test moved forward; sign in afresh.
        using var admin = await Camera.SignInAsync("admin", InProcessCamera.OwnerPassword);
        using var check = await admin.Http.PostAsync(new Uri("/api/updates/check", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, check.StatusCode);
        var status = (await check.Content.ReadFromJsonAsync<UpdateStatusView>(UpdateRefusalTests.Json))!;
        if (status.Available is null)
        {
            return status.LastCheck!;
        }

        using var install = await admin.Http.PostAsync(new Uri("/api/updates/install", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Accepted, install.StatusCode);
        await Camera.App.Services.GetRequiredService<UpdateScheduler>().WaitForInstallAsync();
        return (await StatusAsync(admin)).LastInstall!;
    }

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await Camera.DisposeAsync();
    }
}
