using System.Text;
using Iris.Firmware.Metadata;
using Iris.Firmware.Repository;
using Iris.Firmware.Tests.Support;

namespace Iris.Firmware.Tests.Metadata;

/// <summary>
/// The TUF-style client (IoT-1005-1 5.3.1.2): each classic attack on an update repository is refused, and a
/// refused refresh leaves the device's trusted metadata as it was.
/// </summary>
public sealed class RepositoryClientTests
{
    [Fact]
    public async Task Refresh_VerifiesEveryRole_AndSeesThePublishedRelease()
    {
        using var repo = new TestRepository();
        await repo.PublishDirectoryAsync("1.1.0");

        var (view, outcome) = await repo.Client().RefreshAsync(CancellationToken.None);

        Assert.True(outcome.Succeeded, outcome.Message);
        var target = Assert.Single(view!.Targets.Targets);
        Assert.Equal("1.1.0", target.Release.Version);
        Assert.Equal(new DateOnly(2031, 12, 31), target.Release.SupportEnd);
        Assert.NotNull(repo.Store.Load(RoleName.Targets));
    }

    [Fact]
    public async Task RollbackAttack_OldTimestampServedAgain_IsRefused()
    {
        using var repo = new TestRepository();
        var oldTimestamp = await File.ReadAllBytesAsync(repo.PathOf(RepositoryClient.TimestampPath));
        await repo.PublishDirectoryAsync("1.1.0");
        Assert.True((await repo.Client().RefreshAsync(CancellationToken.None)).Outcome.Succeeded);
        var trusted = repo.Store.Load(RoleName.Timestamp);

        await File.WriteAllBytesAsync(repo.PathOf(RepositoryClient.TimestampPath), oldTimestamp);
        var (_, outcome) = await repo.Client().RefreshAsync(CancellationToken.None);

        Assert.Equal(UpdateCode.Rollback, outcome.Code);
        Assert.Equal(trusted, repo.Store.Load(RoleName.Timestamp));
    }

    [Fact]
    public async Task RollbackAttack_NewTimestampPointingAtOlderTargets_IsRefused()
    {
        using var repo = new TestRepository();
        await repo.PublishDirectoryAsync("1.1.0");
        Assert.True((await repo.Client().RefreshAsync(CancellationToken.None)).Outcome.Succeeded);

        // An attacker holding only the snapshot and timestamp keys re-publishes the first, empty targets version.
        var firstTargets = await File.ReadAllBytesAsync(repo.PathOf(RepositoryClient.TargetsPath(1)));
        var snapshot = new SnapshotDocument(RoleName.Snapshot, 10, repo.Time.GetUtcNow().AddDays(1),
            new MetaFile(1, firstTargets.Length, MetadataCheck.Sha256Hex(firstTargets)));
        var snapshotBytes = MetadataWriter.Sign(snapshot, repo.Keys.Snapshot);
        await File.WriteAllBytesAsync(repo.PathOf(RepositoryClient.SnapshotPath(10)), snapshotBytes);
        var timestamp = new TimestampDocument(RoleName.Timestamp, 10, repo.Time.GetUtcNow().AddDays(1),
            new MetaFile(10, snapshotBytes.Length, MetadataCheck.Sha256Hex(snapshotBytes)));
        await File.WriteAllBytesAsync(repo.PathOf(RepositoryClient.TimestampPath), MetadataWriter.Sign(timestamp, repo.Keys.Timestamp));

        var (_, outcome) = await repo.Client().RefreshAsync(CancellationToken.None);

        Assert.Equal(UpdateCode.Rollback, outcome.Code);
        Assert.Contains("targets", outcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FreezeAttack_ExpiredTimestamp_IsRefused()
    {
        using var repo = new TestRepository();
        await repo.PublishDirectoryAsync("1.1.0");

        // The repository (or a man in the middle) keeps serving yesterday's metadata.
        repo.Time.Advance(RoleLifetimes.Default.Timestamp + TimeSpan.FromMinutes(1));
        var (view, outcome) = await repo.Client().RefreshAsync(CancellationToken.None);

        Assert.Null(view);
        Assert.Equal(UpdateCode.Expired, outcome.Code);
        Assert.Contains("timestamp", outcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FreshTimestamp_EndsTheFreeze()
    {
        using var repo = new TestRepository();
        await repo.PublishDirectoryAsync("1.1.0");
        repo.Time.Advance(TimeSpan.FromDays(2));

        repo.Publisher.RefreshTimestamp(repo.Keys.Timestamp, TimeSpan.FromDays(1));
        var (_, outcome) = await repo.Client().RefreshAsync(CancellationToken.None);

        Assert.True(outcome.Succeeded, outcome.Message);
    }

    [Fact]
    public async Task MixAndMatch_TargetsFileSwappedForAnotherSignedVersion_IsRefused()
    {
        using var repo = new TestRepository();
        await repo.PublishDirectoryAsync("1.1.0");
        await repo.PublishDirectoryAsync("1.2.0");

        // Both files are validly signed by the targets key, but the snapshot pins version 3's exact bytes.
        File.Copy(repo.PathOf(RepositoryClient.TargetsPath(2)), repo.PathOf(RepositoryClient.TargetsPath(3)), overwrite: true);
        var (_, outcome) = await repo.Client().RefreshAsync(CancellationToken.None);

        Assert.Equal(UpdateCode.Mismatch, outcome.Code);
        Assert.Contains("mix-and-match", outcome.Message, StringComparison.Ordinal);
        Assert.Null(repo.Store.Load(RoleName.Targets));
    }

    [Fact]
    public async Task EndlessData_OversizedTimestamp_IsRefusedAtTheCap()
    {
        using var repo = new TestRepository();
        await File.WriteAllBytesAsync(repo.PathOf(RepositoryClient.TimestampPath), new byte[1 << 20]);

        var (_, outcome) = await repo.Client().RefreshAsync(CancellationToken.None);

        Assert.Equal(UpdateCode.TooLarge, outcome.Code);
    }

    [Fact]
    public async Task EndlessData_SnapshotLongerThanPinned_IsRefused()
    {
        using var repo = new TestRepository();
        var path = repo.PathOf(RepositoryClient.SnapshotPath(1));
        await File.AppendAllTextAsync(path, new string(' ', 4096));

        var (_, outcome) = await repo.Client().RefreshAsync(CancellationToken.None);

        Assert.Equal(UpdateCode.TooLarge, outcome.Code);
    }

    [Fact]
    public async Task TargetsSignedBelowThreshold_IsRefused()
    {
        using var repo = new TestRepository(targetsKeys: 2, targetsThreshold: 2);
        await repo.PublishDirectoryAsync("1.1.0");
        repo.ForgeTargets([repo.TargetsSigners[0]]);

        var (_, outcome) = await repo.Client().RefreshAsync(CancellationToken.None);

        Assert.Equal(UpdateCode.BelowThreshold, outcome.Code);
        Assert.Contains("1 valid signature(s); 2 required", outcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TargetsSignedTwiceByOneKey_StillCountsOnce()
    {
        using var repo = new TestRepository(targetsKeys: 2, targetsThreshold: 2);
        await repo.PublishDirectoryAsync("1.1.0");
        repo.ForgeTargets([repo.TargetsSigners[0], repo.TargetsSigners[0]]);

        var (_, outcome) = await repo.Client().RefreshAsync(CancellationToken.None);

        Assert.Equal(UpdateCode.BelowThreshold, outcome.Code);
    }

    [Fact]
    public async Task ForgedPayload_ChangedAfterSigning_IsRefused()
    {
        using var repo = new TestRepository();
        var path = repo.PathOf(RepositoryClient.TimestampPath);
        var text = await File.ReadAllTextAsync(path);
        var envelope = System.Text.Json.JsonSerializer.Deserialize<SignedEnvelope>(text, MetadataJson.Options)!;
        var payload = Encoding.UTF8.GetString(envelope.PayloadBytes).Replace("\"version\": 1", "\"version\": 99", StringComparison.Ordinal);
        var forged = envelope with { Payload = Convert.ToBase64String(Encoding.UTF8.GetBytes(payload)) };
        await File.WriteAllBytesAsync(path, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(forged, MetadataJson.Options));

        var (_, outcome) = await repo.Client().RefreshAsync(CancellationToken.None);

        Assert.Equal(UpdateCode.BelowThreshold, outcome.Code);
    }

    [Fact]
    public async Task RootRotation_SignedByOldAndNewKeys_IsAccepted_AndOldKeysStopWorking()
    {
        using var repo = new TestRepository();
        var newRootKeys = TestRepository.NewSigners(1);
        var newTimestampKeys = TestRepository.NewSigners(1);
        var next = RepositoryPublisher.NewRoot(2, repo.Time.GetUtcNow().AddDays(365), new Dictionary<string, (IReadOnlyList<IMetadataSigner>, int)>
        {
            [RoleName.Root] = (newRootKeys, 1),
            [RoleName.Targets] = (repo.TargetsSigners, 1),
            [RoleName.Snapshot] = (repo.Keys.Snapshot, 1),
            [RoleName.Timestamp] = (newTimestampKeys, 1),
        });
        var retiredTimestampKeys = repo.Keys.Timestamp;
        repo.Publisher.RotateRoot(next, repo.RootSigners, newRootKeys, repo.Keys with { Timestamp = newTimestampKeys }, RoleLifetimes.Default);
        repo.Keys = repo.Keys with { Timestamp = newTimestampKeys };
        await repo.PublishDirectoryAsync("1.1.0");

        var (view, outcome) = await repo.Client().RefreshAsync(CancellationToken.None);

        Assert.True(outcome.Succeeded, outcome.Message);
        Assert.Equal(2, view!.Root.Version);

        // A timestamp signed with the retired key is no longer accepted (the factory will not publish one; an attacker can serve it).
        repo.ForgeTimestamp(retiredTimestampKeys);
        Assert.Equal(UpdateCode.BelowThreshold, (await repo.Client().RefreshAsync(CancellationToken.None)).Outcome.Code);
    }

    [Fact]
    public async Task RootRotation_SignedOnlyByTheNewKeys_IsRefused()
    {
        using var repo = new TestRepository();
        var attackerKeys = TestRepository.NewSigners(1);
        var next = RepositoryPublisher.NewRoot(2, repo.Time.GetUtcNow().AddDays(365), new Dictionary<string, (IReadOnlyList<IMetadataSigner>, int)>
        {
            [RoleName.Root] = (attackerKeys, 1),
            [RoleName.Targets] = (attackerKeys, 1),
            [RoleName.Snapshot] = (attackerKeys, 1),
            [RoleName.Timestamp] = (attackerKeys, 1),
        });
        await File.WriteAllBytesAsync(repo.PathOf(RepositoryClient.RootPath(2)), MetadataWriter.Sign(next, attackerKeys));
        var trustedRoot = repo.Store.Load(RoleName.Root);

        var (_, outcome) = await repo.Client().RefreshAsync(CancellationToken.None);

        Assert.Equal(UpdateCode.BelowThreshold, outcome.Code);
        Assert.Contains("trusted root", outcome.Message, StringComparison.Ordinal);
        Assert.Equal(trustedRoot, repo.Store.Load(RoleName.Root));
    }

    [Fact]
    public async Task ExpiredRoot_IsAFreeze_AndRefused()
    {
        using var repo = new TestRepository();
        repo.Time.Advance(TimeSpan.FromDays(366));

        var (_, outcome) = await repo.Client().RefreshAsync(CancellationToken.None);

        Assert.Equal(UpdateCode.Expired, outcome.Code);
        Assert.Contains("root", outcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedMetadata_IsRefused_WithoutThrowing()
    {
        using var repo = new TestRepository();
        await File.WriteAllTextAsync(repo.PathOf(RepositoryClient.TimestampPath), "{\"payloadType\": 5}");

        var (_, outcome) = await repo.Client().RefreshAsync(CancellationToken.None);

        Assert.Equal(UpdateCode.Malformed, outcome.Code);
    }
}
