using System.Net;
using System.Net.Http.Json;
using System.Text;
using Iris.Camera.Events;
using Iris.Camera.Media;
using Iris.Camera.Privacy;
using Iris.Camera.Storage;
using Iris.Camera.Tests.Support;
using Iris.Camera.Tests.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Iris.Camera.Tests.Privacy;

/// <summary>
/// IoT-1005-1 5.7.1.1: one declaration of everything stored, checked against the real database and data
/// directory; the owner deletes each kind, or all, and nothing deleted stays recoverable from the raw files; old
/// security-log entries are purged by themselves and the chain still verifies.
/// </summary>
public sealed class PersonalDataTests
{
    private static readonly IReadOnlyList<DataKind> Declared =
    [
        new("a", "A", true, "p", "r", "d", ["alpha"], ["files/*.bin"]),
        new("b", "B", false, "p", "r", "d", ["beta"], ["top.db"]),
    ];

    [Fact]
    public void Checker_PassesWhatIsDeclared_AndNamesAnUndeclaredTableOrFile()
    {
        Assert.Empty(InventoryChecker.Undeclared(Declared, ["alpha", "beta"], ["files/x.bin", "top.db"]));
        Assert.Equal(["table gamma"], InventoryChecker.Undeclared(Declared, ["alpha", "beta", "gamma"], ["top.db"]));
        Assert.Equal(["file files/sub/x.bin", "file faces.jpg"], InventoryChecker.Undeclared(Declared, ["alpha"], ["files/sub/x.bin", "faces.jpg"]));
    }

    [Fact]
    public async Task Inventory_MatchesWhatAUsedCameraReallyStores()
    {
        await using var camera = await InProcessCamera.StartAsync(configure: Iris.Camera.Tests.Media.RecordingTests.OneSecondSegments);
        using var owner = await camera.ClaimAsync();
        await SeedAsync(camera, owner);

        var service = camera.App.Services.GetRequiredService<PersonalDataService>();
        var (tables, files) = service.Stored();

        Assert.Empty(InventoryChecker.Undeclared(service.Inventory, tables, files));
        Assert.Contains("motion_events", tables);
        Assert.Contains(files, f => f.StartsWith("recordings/", StringComparison.Ordinal));
        var served = await camera.Client.GetFromJsonAsync<List<DataKind>>(new Uri("/api/privacy/inventory", UriKind.Relative));
        Assert.Equal(service.Inventory.Select(k => k.Id), served!.Select(k => k.Id));
    }

    [Fact]
    public async Task DeleteAll_LeavesNothingRecoverable_InTheRawFiles()
    {
        using var dir = new TempDirectory();
        await using var camera = await InProcessCamera.StartAsync(dir.Path, Iris.Camera.Tests.Media.RecordingTests.OneSecondSegments);
        using var owner = await camera.ClaimAsync();
        await SeedAsync(camera, owner);
        var before = RawBytes(dir.Path);
        Assert.Contains("motion-marker", before, StringComparison.Ordinal);
        // Since the database's personal fields are sealed (issue 12), names and addresses are never in the raw
        // files, not even before the deletion; the security log holds them, readable through its key.
        Assert.DoesNotContain("visitor-anna", before, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.2", before, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.3", before, StringComparison.Ordinal);
        var seeded = camera.App.Services.GetRequiredService<SecurityEventLog>().Read(0, 500);
        Assert.Contains(seeded, e => e.Account == "visitor-anna" && e.Source == "127.0.0.2");
        Assert.Contains(seeded, e => e.Source == "127.0.0.3");
        // The control that can fail: carved with the field keys the directory itself holds (opened with its file
        // key), the raw files reveal the name and both addresses before the deletion.
        var carvedBefore = new Iris.Camera.Tests.Forensics.Carver(RawFiles(dir.Path));
        var keysBefore = FieldKeysOnDisk(dir.Path);
        Assert.All(Revealed, needle => Assert.True(carvedBefore.SealedFieldReveals(keysBefore, needle), $"the control failed: '{needle}' is not found before the deletion"));

        using var response = await owner.Http.SendAsync(new HttpRequestMessage(HttpMethod.Delete, new Uri("/api/privacy/data/all", UriKind.Relative))
        {
            Content = JsonContent.Create(new { password = InProcessCamera.OwnerPassword }),
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var after = RawBytes(dir.Path);
        Assert.DoesNotContain("visitor-anna", after, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.2", after, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.3", after, StringComparison.Ordinal);
        Assert.DoesNotContain("motion-marker", after, StringComparison.Ordinal);
        var carvedAfter = new Iris.Camera.Tests.Forensics.Carver(RawFiles(dir.Path));
        var keysAfter = FieldKeysOnDisk(dir.Path).Concat(keysBefore).ToList();
        Assert.All(Revealed, needle => Assert.False(carvedAfter.SealedFieldReveals(keysAfter, needle), $"'{needle}' opens from the raw files after the deletion"));
        Assert.Empty(Directory.GetFiles(Path.Combine(dir.Path, "recordings")));
        Assert.False(File.Exists(Path.Combine(dir.Path, "vault", "recordings-key.sealed")));
        var database = camera.App.Services.GetRequiredService<CameraDatabase>();
        Assert.Equal(0, Count(database, "motion_events"));
        Assert.Equal(0, Count(database, "recordings"));
        Assert.Equal(1, Count(database, "accounts"));
        // The security log keeps its entries as evidence, redacted; the deletion is logged, naming the kinds, not the content.
        var log = camera.App.Services.GetRequiredService<SecurityEventLog>().Read(0, 500);
        Assert.True(log.Count > 1);
        Assert.All(log.SkipLast(1), e => Assert.True(e.Source is null && e.Account is null && e.Detail is null, $"entry {e.Id} still names someone"));
        var entry = log[^1];
        Assert.Equal(SecurityEventKinds.PersonalDataDeleted, entry.Kind);
        Assert.DoesNotContain("anna", entry.Detail, StringComparison.Ordinal);
        Assert.Null(camera.App.Services.GetRequiredService<SecurityEventLog>().FindFirstBrokenRecord());
    }

    [Theory]
    [InlineData("/api/privacy/data")]
    [InlineData("/api/privacy/data/")]
    [InlineData("/api/privacy/data/.")]
    [InlineData("/api/privacy/data/%2e")]
    [InlineData("/api/privacy/data/%2E%2E")]
    [InlineData("/api/privacy/data/all")]
    public async Task EverythingIsDeleted_OnlyWhenNamedAndConfirmedWithThePassword(string path)
    {
        await using var camera = await InProcessCamera.StartAsync();
        using var owner = await camera.ClaimAsync();
        using (var create = await owner.Http.PostAsJsonAsync(new Uri("/api/users", UriKind.Relative), new { username = "visitor-anna", role = "viewer", password = "amber meadow river 2931" }))
        {
            Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        }

        var database = camera.App.Services.GetRequiredService<CameraDatabase>();
        var log = camera.App.Services.GetRequiredService<SecurityEventLog>();
        var entries = log.Read(0, 500).Count;
        var named = log.Read(0, 500).Count(e => e.Account is not null);

        using var bare = await owner.Http.DeleteAsync(new Uri(path, UriKind.Relative));
        using var wrong = await owner.Http.SendAsync(new HttpRequestMessage(HttpMethod.Delete, new Uri(path, UriKind.Relative))
        {
            Content = JsonContent.Create(new { password = "not my password at all 1" }),
        });

        Assert.All(new[] { bare, wrong }, r => Assert.False(r.IsSuccessStatusCode, $"{path}: {(int)r.StatusCode}"));
        Assert.All(new[] { bare, wrong }, r => Assert.True((int)r.StatusCode < 500, $"{path}: {(int)r.StatusCode}"));
        Assert.Equal(2, Count(database, "accounts"));
        Assert.Equal(named, log.Read(0, 500).Take(entries).Count(e => e.Account is not null));
        Assert.True(log.Verify().Intact);
    }

    [Fact]
    public async Task DeletingTheSecurityLog_RedactsItsPersonalFields_AndKeepsItsEvidence()
    {
        await using var camera = await InProcessCamera.StartAsync();
        using var owner = await camera.ClaimAsync();
        var log = camera.App.Services.GetRequiredService<SecurityEventLog>();
        var before = log.Read(0, 500);

        using var response = await owner.Http.DeleteAsync(new Uri("/api/privacy/data/security-log", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var after = log.Read(0, 500);
        Assert.Equal(before.Select(e => e.Id), after.Take(before.Count).Select(e => e.Id));
        Assert.All(after.Take(before.Count), e => Assert.True(e.Source is null && e.Account is null && e.Detail is null));
        Assert.Equal(SecurityEventKinds.PersonalDataDeleted, after[^1].Kind);
        var status = await owner.Http.GetFromJsonAsync<ChainStatus>(new Uri("/api/security/events/verify", UriKind.Relative));
        Assert.True(status!.Intact, status.Problem);
    }

    [Fact]
    public async Task TheOwnerSeesHowMuchOfEachKindIsKept_CountedByItsOwner()
    {
        await using var camera = await InProcessCamera.StartAsync(configure: Iris.Camera.Tests.Media.RecordingTests.OneSecondSegments);
        using var owner = await camera.ClaimAsync();
        await SeedAsync(camera, owner);

        var counts = await owner.Http.GetFromJsonAsync<Dictionary<string, int>>(new Uri("/api/privacy/data", UriKind.Relative));
        using var anonymous = await camera.Client.GetAsync(new Uri("/api/privacy/data", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        var database = camera.App.Services.GetRequiredService<CameraDatabase>();
        Assert.Equal(Count(database, "accounts"), counts!["accounts"]);
        Assert.Equal(2, counts["accounts"]);
        Assert.Equal(1, counts["motion-events"]);
        Assert.Equal(Count(database, "recordings"), counts["recordings"]);
        Assert.True(counts["recordings"] >= 1);
        Assert.Equal(Count(database, "security_events"), counts["security-log"]);
        Assert.Equal(0, counts["telemetry"]);

        using (var delete = await owner.Http.DeleteAsync(new Uri("/api/privacy/data/motion-events", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        }

        var after = await owner.Http.GetFromJsonAsync<Dictionary<string, int>>(new Uri("/api/privacy/data", UriKind.Relative));
        Assert.Equal(0, after!["motion-events"]);
        Assert.Equal(counts["accounts"], after["accounts"]);
    }

    [Fact]
    public async Task DeletingOneKind_LeavesTheOthers()
    {
        await using var camera = await InProcessCamera.StartAsync(configure: Iris.Camera.Tests.Media.RecordingTests.OneSecondSegments);
        using var owner = await camera.ClaimAsync();
        await SeedAsync(camera, owner);
        var database = camera.App.Services.GetRequiredService<CameraDatabase>();

        using var motion = await owner.Http.DeleteAsync(new Uri("/api/privacy/data/motion-events", UriKind.Relative));
        using var unknown = await owner.Http.DeleteAsync(new Uri("/api/privacy/data/faces", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, motion.StatusCode);
        Assert.Equal(0, Count(database, "motion_events"));
        Assert.True(Count(database, "recordings") > 0);
        Assert.Equal(2, Count(database, "accounts"));
        Assert.True(Count(database, "security_events") > 1);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task OldSecurityLogEntries_ArePurged_AndTheChainStillVerifies()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var camera = await InProcessCamera.StartAsync(time: time);
        var log = camera.App.Services.GetRequiredService<SecurityEventLog>();
        log.Append(SecurityEventKinds.LoginFailed, "127.0.0.9", "old-entry");
        time.Advance(TimeSpan.FromDays(100));
        log.Append(SecurityEventKinds.LoginFailed, "127.0.0.8", "recent-entry");
        time.Advance(TimeSpan.FromDays(100));

        // The six-hourly purge may already have run when the clock moved; running it again is harmless. A purge
        // the clock started may still be scrubbing the WAL before it records itself: wait for that record.
        camera.App.Services.GetRequiredService<SecurityLogRetention>().Purge();
        var remaining = log.Read(0, 100);
        using (var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while (!remaining.Any(e => e.Kind == SecurityEventKinds.SecurityLogPurged))
            {
                await Task.Delay(20, cancel.Token);
                remaining = log.Read(0, 100);
            }
        }

        Assert.DoesNotContain(remaining, e => e.Account == "old-entry");
        Assert.Contains(remaining, e => e.Account == "recent-entry");
        Assert.Contains(remaining, e => e.Kind == SecurityEventKinds.SecurityLogPurged);
        Assert.Null(log.FindFirstBrokenRecord());
    }

    [Fact]
    public async Task DocsPrivacyInventory_MatchesTheCode()
    {
        using var data = new TempDirectory();
        await using var app = InProcessCamera.BuildWithDefaults(data.Path);
        GoldenDocument.AssertMatches("docs/privacy-inventory.md", PersonalDataInventory.ToMarkdown(app.Services.GetRequiredService<PersonalDataInventory>().Kinds));
    }

    /// <summary>A second user signs in from another address, a third address fails, a recording is made, motion is seen.</summary>
    private static async Task SeedAsync(InProcessCamera camera, SignedInClient owner)
    {
        using (var create = await owner.Http.PostAsJsonAsync(new Uri("/api/users", UriKind.Relative), new { username = "visitor-anna", role = "viewer", password = "amber meadow river 2931" }))
        {
            Assert.True(create.IsSuccessStatusCode, await create.Content.ReadAsStringAsync());
        }

        Assert.Equal(HttpStatusCode.OK, await SignInFromAsync(camera, IPAddress.Parse("127.0.0.2"), "visitor-anna", "amber meadow river 2931"));
        Assert.Equal(HttpStatusCode.Unauthorized, await SignInFromAsync(camera, IPAddress.Parse("127.0.0.3"), "visitor-anna", "wrong password entirely 1"));
        var completed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        camera.App.Services.GetRequiredService<Recorder>().SegmentCompleted += _ => completed.TrySetResult();
        using (var on = await owner.Http.PutAsJsonAsync(new Uri("/api/recordings/settings", UriKind.Relative), new { mode = "continuous" }))
        {
            on.EnsureSuccessStatusCode();
        }

        await completed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        using (var off = await owner.Http.PutAsJsonAsync(new Uri("/api/recordings/settings", UriKind.Relative), new { mode = "off" }))
        {
            off.EnsureSuccessStatusCode();
        }

        // A motion event as the detector stores it (the marker makes it findable in raw bytes).
        using var connection = camera.App.Services.GetRequiredService<CameraDatabase>().OpenConnection();
        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO motion_events (at, changed_share) VALUES ('2027-01-01T00:00:00Z motion-marker', 0.5);";
        insert.ExecuteNonQuery();
    }

    internal static async Task<HttpStatusCode> SignInFromAsync(InProcessCamera camera, IPAddress source, string username, string password)
    {
        using var client = PinnedHttpClient.Create(camera.BaseAddress, camera.Certificate, localAddress: source);
        using var nonceResponse = await client.PostAsync(new Uri("/api/auth/nonce", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, nonceResponse.StatusCode);
        var nonce = (await nonceResponse.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("nonce").GetString();
        using var login = await client.PostAsJsonAsync(new Uri("/api/auth/login", UriKind.Relative), new { username, password, nonce });
        return login.StatusCode;
    }

    private static readonly string[] Revealed = ["visitor-anna", "127.0.0.2", "127.0.0.3"];

    private static byte[] RawFiles(string directory) =>
        [.. Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).SelectMany(File.ReadAllBytes)];

    private static List<byte[]> FieldKeysOnDisk(string directory) => Iris.Camera.Tests.Forensics.Carver.FieldKeysIn(directory);

    private static string RawBytes(string directory) =>
        string.Concat(Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Select(f => Encoding.Latin1.GetString(File.ReadAllBytes(f))));

    private static long Count(CameraDatabase database, string table)
    {
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM {table};";
        return (long)command.ExecuteScalar()!;
    }
}
