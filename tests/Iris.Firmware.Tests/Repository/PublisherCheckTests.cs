using Iris.Firmware.Metadata;
using Iris.Firmware.Repository;
using Iris.Firmware.Tests.Support;

namespace Iris.Firmware.Tests.Repository;

/// <summary>
/// The factory's publisher checks every step with the device's own client before it writes (issue 11, point 17):
/// what a device would refuse is refused with a reason, and the repository stays byte for byte as it was.
/// </summary>
public sealed class PublisherCheckTests
{
    [Fact]
    public async Task RootRotation_NotSignedByTheCurrentRootKeys_IsRefused_AndNothingIsWritten()
    {
        using var repo = new TestRepository();
        await repo.PublishDirectoryAsync("1.1.0");
        var before = Snapshot(repo);
        var strangers = TestRepository.NewSigners(1);
        var next = NextRoot(repo, newRootKeys: strangers);

        var refused = Assert.Throws<PublishRefusedException>(() =>
            repo.Publisher.RotateRoot(next, currentRootSigners: strangers, nextRootSigners: strangers, repo.Keys, RoleLifetimes.Default));

        Assert.Equal(UpdateCode.BelowThreshold, refused.Outcome.Code);
        Assert.Contains("trusted root", refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(repo));
        Assert.True((await repo.Client().RefreshAsync(CancellationToken.None)).Outcome.Succeeded);
    }

    [Fact]
    public void RootRotation_BelowTheNewRootsOwnThreshold_IsRefused()
    {
        using var repo = new TestRepository();
        var newRootKeys = TestRepository.NewSigners(2);
        var next = NextRoot(repo, newRootKeys, rootThreshold: 2);
        var before = Snapshot(repo);

        var refused = Assert.Throws<PublishRefusedException>(() =>
            repo.Publisher.RotateRoot(next, repo.RootSigners, [newRootKeys[0]], repo.Keys, RoleLifetimes.Default));

        Assert.Equal(UpdateCode.BelowThreshold, refused.Outcome.Code);
        Assert.Contains("its own keys", refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(repo));
    }

    [Fact]
    public async Task RootRotation_WithNewTimestampKeys_ResignsTheReleases_SoEveryDeviceAcceptsIt()
    {
        using var repo = new TestRepository();
        await repo.PublishDirectoryAsync("1.1.0");
        Assert.True((await repo.Client().RefreshAsync(CancellationToken.None)).Outcome.Succeeded);
        var newKeys = new PublishingKeys(TestRepository.NewSigners(1), TestRepository.NewSigners(1), TestRepository.NewSigners(1));
        var newRootKeys = TestRepository.NewSigners(1);

        repo.Publisher.RotateRoot(NextRoot(repo, newRootKeys, newKeys), repo.RootSigners, newRootKeys, newKeys, RoleLifetimes.Default);

        // A device that already trusted the old keys, and one fresh from the factory with root version 1.
        var (updated, outcome) = await repo.Client().RefreshAsync(CancellationToken.None);
        Assert.True(outcome.Succeeded, outcome.Message);
        Assert.Equal(2, updated!.Root.Version);
        Assert.Equal("1.1.0", Assert.Single(updated.Targets.Targets).Release.Version);
        var fresh = new DirectoryMetadataStore(repo.Scratch("fresh-device"));
        fresh.Save(RoleName.Root, await File.ReadAllBytesAsync(repo.PathOf(RepositoryClient.RootPath(1))));
        Assert.True((await new RepositoryClient(repo.Transport, fresh, repo.Time).RefreshAsync(CancellationToken.None)).Outcome.Succeeded);

        // The old publishing keys can no longer publish.
        var before = Snapshot(repo);
        Assert.Throws<PublishRefusedException>(() => repo.Publisher.Publish(repo.Publisher.CurrentTargets(), repo.Keys, RoleLifetimes.Default));
        Assert.Equal(before, Snapshot(repo));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    [InlineData(1)]
    public void Timestamp_ThatLeavesNoMargin_IsRefused(int hours)
    {
        using var repo = new TestRepository();
        var before = Snapshot(repo);

        var refused = Assert.Throws<ArgumentException>(() => repo.Publisher.RefreshTimestamp(repo.Keys.Timestamp, TimeSpan.FromHours(hours)));

        Assert.Contains("timestamp metadata would be valid for", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was published", refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(repo));
    }

    [Fact]
    public void Timestamp_OverAnExpiredSnapshot_IsRefused_WithTheDevicesReason()
    {
        using var repo = new TestRepository();
        repo.Time.Advance(RoleLifetimes.Default.Snapshot);
        var before = Snapshot(repo);

        var refused = Assert.Throws<PublishRefusedException>(() => repo.Publisher.RefreshTimestamp(repo.Keys.Timestamp, TimeSpan.FromDays(1)));

        Assert.Equal(UpdateCode.Expired, refused.Outcome.Code);
        Assert.Contains("snapshot metadata expired", refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(repo));
    }

    [Fact]
    public async Task Release_WhileTheRootExpiresWithinTheMargin_IsRefused()
    {
        using var repo = new TestRepository();
        repo.Time.Advance(repo.Root.Expires - repo.Time.GetUtcNow() - TimeSpan.FromMinutes(30));
        var before = Snapshot(repo);

        var refused = await Assert.ThrowsAsync<PublishRefusedException>(() => repo.PublishDirectoryAsync("1.1.0"));

        Assert.Equal(UpdateCode.Expired, refused.Outcome.Code);
        Assert.Contains("root metadata expired", refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(repo));
    }

    [Fact]
    public void Targets_SignedBelowTheirThreshold_AreRefused()
    {
        using var repo = new TestRepository(targetsKeys: 2, targetsThreshold: 2);
        var before = Snapshot(repo);

        var refused = Assert.Throws<PublishRefusedException>(() =>
            repo.Publisher.Publish([], repo.Keys with { Targets = [repo.TargetsSigners[0]] }, RoleLifetimes.Default));

        Assert.Equal(UpdateCode.BelowThreshold, refused.Outcome.Code);
        Assert.Equal(before, Snapshot(repo));
    }

    [Fact]
    public async Task Publish_WhenAPublishedBundleIsMissing_IsRefused()
    {
        using var repo = new TestRepository();
        var target = await repo.PublishDirectoryAsync("1.1.0");
        File.Delete(repo.PathOf(RepositoryClient.TargetPath(target)));
        var before = Snapshot(repo);

        var refused = Assert.Throws<PublishRefusedException>(() => repo.Publisher.Publish(repo.Publisher.CurrentTargets(), repo.Keys, RoleLifetimes.Default));

        Assert.Contains($"bundle of target {target.Name} is missing", refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(repo));
    }

    [Fact]
    public async Task Publish_ThatDevicesOnTheCurrentMetadataWouldSeeAsARollback_IsRefused()
    {
        using var repo = new TestRepository();
        await repo.PublishDirectoryAsync("1.1.0");
        await repo.PublishDirectoryAsync("1.2.0");
        // The newest snapshot files vanish (a botched sync); the published timestamp still names snapshot 3.
        File.Delete(repo.PathOf(RepositoryClient.SnapshotPath(3)));
        File.Delete(repo.PathOf(RepositoryClient.SnapshotPath(2)));
        var before = Snapshot(repo);

        // A device fresh from the factory would accept snapshot 2; one that holds timestamp 3 would see a rollback.
        var refused = Assert.Throws<PublishRefusedException>(() => repo.Publisher.Publish(repo.Publisher.CurrentTargets(), repo.Keys, RoleLifetimes.Default));

        Assert.Equal(UpdateCode.Rollback, refused.Outcome.Code);
        Assert.Contains("trusts the published metadata", refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(repo));
    }

    [Fact]
    public void Initialise_WithARootBelowItsOwnThreshold_IsRefused_AndLeavesNoRepository()
    {
        using var dir = new TempDir();
        var rootKeys = TestRepository.NewSigners(2);
        var keys = new PublishingKeys(TestRepository.NewSigners(1), TestRepository.NewSigners(1), TestRepository.NewSigners(1));
        var root = RepositoryPublisher.NewRoot(1, DateTimeOffset.UtcNow.AddDays(365), Roles(rootKeys, 2, keys));
        var publisher = new RepositoryPublisher(dir.Sub("repository"), TimeProvider.System);

        var refused = Assert.Throws<PublishRefusedException>(() => publisher.Initialise(root, [rootKeys[0]], keys, RoleLifetimes.Default));

        Assert.Equal(UpdateCode.BelowThreshold, refused.Outcome.Code);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Sub("repository")));
    }

    private static RootDocument NextRoot(TestRepository repo, IReadOnlyList<IMetadataSigner> newRootKeys, PublishingKeys? keys = null, int rootThreshold = 1) =>
        RepositoryPublisher.NewRoot(repo.Root.Version + 1, repo.Time.GetUtcNow().AddDays(365),
            Roles(newRootKeys, rootThreshold, keys ?? repo.Keys with { Targets = repo.TargetsSigners }));

    private static Dictionary<string, (IReadOnlyList<IMetadataSigner>, int)> Roles(IReadOnlyList<IMetadataSigner> rootKeys, int rootThreshold, PublishingKeys keys) => new()
    {
        [RoleName.Root] = (rootKeys, rootThreshold),
        [RoleName.Targets] = (keys.Targets, keys.Targets.Count),
        [RoleName.Snapshot] = (keys.Snapshot, 1),
        [RoleName.Timestamp] = (keys.Timestamp, 1),
    };

    /// <summary>Every file of the repository (hidden ones too) with its bytes, for byte-for-byte comparison.</summary>
    private static SortedDictionary<string, string> Snapshot(TestRepository repo) =>
        new(Directory.EnumerateFiles(repo.RepositoryDirectory, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(repo.RepositoryDirectory, f), f => Convert.ToHexString(File.ReadAllBytes(f))), StringComparer.Ordinal);
}
