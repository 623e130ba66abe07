namespace Iris.Firmware.Metadata;

/// <summary>What a fetch brought back: the bytes, "not there", or why it failed.</summary>
public sealed record FetchResult(byte[]? Bytes, bool NotFound, UpdateOutcome Outcome)
{
    public static FetchResult Found(byte[] bytes) => new(bytes, false, UpdateOutcome.Ok);

    public static FetchResult Missing(string path) => new(null, true, new UpdateOutcome(UpdateCode.Unreachable, $"{path} not found"));

    public static FetchResult Failed(UpdateOutcome outcome) => new(null, false, outcome);
}

/// <summary>Where metadata and bundles come from (HTTPS on the device; a directory in tests and tools).</summary>
public interface IRepositoryTransport
{
    /// <summary>Fetches a file, refusing (TooLarge) as soon as more than <paramref name="maxLength"/> bytes arrive.</summary>
    Task<FetchResult> FetchAsync(string path, long maxLength, CancellationToken cancellationToken);
}

/// <summary>The device's last verified copy of each role (written crash-safely).</summary>
public interface ITrustedMetadataStore
{
    byte[]? Load(string role);

    void Save(string role, byte[] bytes);

    void Delete(string role);
}

/// <summary>Limits on metadata sizes; anything longer is an endless-data attack.</summary>
public sealed record MetadataLimits(long MaxRootLength = 64 * 1024, long MaxTimestampLength = 16 * 1024, int MaxRootRotations = 64);

/// <summary>The verified view of the repository after a refresh.</summary>
public sealed record RepositoryView(RootDocument Root, TimestampDocument Timestamp, SnapshotDocument Snapshot, TargetsDocument Targets);

/// <summary>
/// The client workflow of The Update Framework (spec 1.0, section 5), with DSSE envelopes: update the root
/// one version at a time (each new root signed by the old and the new keys), then timestamp, snapshot and
/// targets. It defeats rollback (versions never go down), freeze (expired metadata is refused), mix-and-match
/// (each file's length and hash are pinned by the role above it) and endless data (every fetch has a cap).
/// Nothing is trusted or stored until it has been verified.
/// </summary>
public sealed class RepositoryClient(IRepositoryTransport transport, ITrustedMetadataStore store, TimeProvider time, MetadataLimits? limits = null)
{
    private readonly MetadataLimits _limits = limits ?? new MetadataLimits();

    public const string MetadataFolder = "metadata";
    public const string TargetsFolder = "targets";

    public static string RootPath(long version) => $"{MetadataFolder}/{version}.root.json";

    public static string TimestampPath => $"{MetadataFolder}/timestamp.json";

    public static string SnapshotPath(long version) => $"{MetadataFolder}/{version}.snapshot.json";

    public static string TargetsPath(long version) => $"{MetadataFolder}/{version}.targets.json";

    /// <summary>Targets are stored under their hash, so a file once published never changes.</summary>
    public static string TargetPath(TargetEntry target) => $"{TargetsFolder}/{target.Sha256}.{target.Name}";

    /// <summary>The trusted root the device holds now (shipped with it, then rotated).</summary>
    public RootDocument? TrustedRoot() =>
        store.Load(RoleName.Root) is { } bytes ? MetadataCheck.Parse<RootDocument>(bytes, RoleName.Root)?.Document : null;

    /// <summary>The last verified view, without contacting the repository (for the status page).</summary>
    public RepositoryView? TrustedView()
    {
        var root = TrustedRoot();
        var timestamp = Load<TimestampDocument>(RoleName.Timestamp);
        var snapshot = Load<SnapshotDocument>(RoleName.Snapshot);
        var targets = Load<TargetsDocument>(RoleName.Targets);
        return root is null || timestamp is null || snapshot is null || targets is null ? null : new RepositoryView(root, timestamp, snapshot, targets);
    }

    public async Task<(RepositoryView? View, UpdateOutcome Outcome)> RefreshAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (store.Load(RoleName.Root) is not { } rootBytes || MetadataCheck.Parse<RootDocument>(rootBytes, RoleName.Root) is not { } trustedRoot)
        {
            return (null, new UpdateOutcome(UpdateCode.Malformed, "no trusted root metadata on this device"));
        }

        // 1. Root: walk forward one version at a time.
        var root = trustedRoot.Document;
        for (var step = 0; step < _limits.MaxRootRotations; step++)
        {
            var path = RootPath(root.Version + 1);
            var fetched = await transport.FetchAsync(path, _limits.MaxRootLength, cancellationToken);
            if (fetched.NotFound)
            {
                break;
            }

            if (fetched.Bytes is null)
            {
                return (null, fetched.Outcome);
            }

            var (byOld, outcome) = MetadataCheck.Verify<RootDocument>(fetched.Bytes, RoleName.Root, root);
            if (byOld is null)
            {
                return (null, outcome with { Message = $"new root: {outcome.Message} (by the trusted root's keys)" });
            }

            var candidate = byOld.Document;
            if (!MetadataCheck.IsSoundRoot(candidate))
            {
                return (null, new UpdateOutcome(UpdateCode.Malformed, $"root version {candidate.Version} is not a sound root"));
            }

            var (byNew, selfOutcome) = MetadataCheck.Verify<RootDocument>(fetched.Bytes, RoleName.Root, candidate);
            if (byNew is null)
            {
                return (null, selfOutcome with { Message = $"new root: {selfOutcome.Message} (by its own keys)" });
            }

            if (candidate.Version != root.Version + 1)
            {
                return (null, new UpdateOutcome(UpdateCode.Rollback, $"{path} carries version {candidate.Version}"));
            }

            // A rotated timestamp or snapshot key invalidates what those keys signed (fast-forward recovery).
            if (!SameKeys(root, candidate, RoleName.Timestamp))
            {
                store.Delete(RoleName.Timestamp);
            }

            if (!SameKeys(root, candidate, RoleName.Snapshot))
            {
                store.Delete(RoleName.Snapshot);
            }

            store.Save(RoleName.Root, fetched.Bytes);
            root = candidate;
        }

        if (root.Expires <= now)
        {
            return (null, new UpdateOutcome(UpdateCode.Expired, $"root metadata expired {root.Expires:u} (freeze attack or stale repository)"));
        }

        // 2. Timestamp.
        var timestampFetch = await transport.FetchAsync(TimestampPath, _limits.MaxTimestampLength, cancellationToken);
        if (timestampFetch.Bytes is null)
        {
            return (null, timestampFetch.Outcome);
        }

        var (timestamp, tsOutcome) = MetadataCheck.Verify<TimestampDocument>(timestampFetch.Bytes, RoleName.Timestamp, root);
        if (timestamp is null)
        {
            return (null, tsOutcome);
        }

        var trustedTimestamp = Load<TimestampDocument>(RoleName.Timestamp);
        if (trustedTimestamp is not null)
        {
            if (timestamp.Document.Version < trustedTimestamp.Version)
            {
                return (null, new UpdateOutcome(UpdateCode.Rollback, $"timestamp version {timestamp.Document.Version} is older than trusted {trustedTimestamp.Version}"));
            }

            if (timestamp.Document.Snapshot.Version < trustedTimestamp.Snapshot.Version)
            {
                return (null, new UpdateOutcome(UpdateCode.Rollback, $"timestamp names snapshot {timestamp.Document.Snapshot.Version}, older than trusted {trustedTimestamp.Snapshot.Version}"));
            }
        }

        if (timestamp.Document.Expires <= now)
        {
            return (null, new UpdateOutcome(UpdateCode.Expired, $"timestamp metadata expired {timestamp.Document.Expires:u} (freeze attack or stale repository)"));
        }

        store.Save(RoleName.Timestamp, timestamp.Bytes);

        // 3. Snapshot, pinned by the timestamp.
        var (snapshot, snapOutcome) = await FetchPinnedAsync<SnapshotDocument>(SnapshotPath(timestamp.Document.Snapshot.Version), RoleName.Snapshot,
            timestamp.Document.Snapshot, root, cancellationToken);
        if (snapshot is null)
        {
            return (null, snapOutcome);
        }

        var trustedSnapshot = Load<SnapshotDocument>(RoleName.Snapshot);
        if (trustedSnapshot is not null && snapshot.Document.Targets.Version < trustedSnapshot.Targets.Version)
        {
            return (null, new UpdateOutcome(UpdateCode.Rollback, $"snapshot names targets {snapshot.Document.Targets.Version}, older than trusted {trustedSnapshot.Targets.Version}"));
        }

        if (snapshot.Document.Expires <= now)
        {
            return (null, new UpdateOutcome(UpdateCode.Expired, $"snapshot metadata expired {snapshot.Document.Expires:u}"));
        }

        store.Save(RoleName.Snapshot, snapshot.Bytes);

        // 4. Targets, pinned by the snapshot.
        var (targets, targetsOutcome) = await FetchPinnedAsync<TargetsDocument>(TargetsPath(snapshot.Document.Targets.Version), RoleName.Targets,
            snapshot.Document.Targets, root, cancellationToken);
        if (targets is null)
        {
            return (null, targetsOutcome);
        }

        if (targets.Document.Expires <= now)
        {
            return (null, new UpdateOutcome(UpdateCode.Expired, $"targets metadata expired {targets.Document.Expires:u}"));
        }

        store.Save(RoleName.Targets, targets.Bytes);
        return (new RepositoryView(root, timestamp.Document, snapshot.Document, targets.Document), UpdateOutcome.Ok);
    }

    private async Task<(Verified<T>? Value, UpdateOutcome Outcome)> FetchPinnedAsync<T>(string path, string role, MetaFile pin, RootDocument root,
        CancellationToken cancellationToken) where T : class, IRoleDocument
    {
        var fetched = await transport.FetchAsync(path, pin.Length, cancellationToken);
        if (fetched.Bytes is null)
        {
            return (null, fetched.Outcome);
        }

        if (fetched.Bytes.Length != pin.Length || MetadataCheck.Sha256Hex(fetched.Bytes) != pin.Sha256)
        {
            return (null, new UpdateOutcome(UpdateCode.Mismatch, $"{role} metadata does not match the length and hash the {(role == RoleName.Snapshot ? "timestamp" : "snapshot")} pins (mix-and-match)"));
        }

        var (verified, outcome) = MetadataCheck.Verify<T>(fetched.Bytes, role, root);
        if (verified is null)
        {
            return (null, outcome);
        }

        if (verified.Document.Version != pin.Version)
        {
            return (null, new UpdateOutcome(UpdateCode.Mismatch, $"{role} metadata is version {verified.Document.Version}; {pin.Version} expected"));
        }

        return (verified, UpdateOutcome.Ok);
    }

    private T? Load<T>(string role) where T : class, IRoleDocument =>
        store.Load(role) is { } bytes ? MetadataCheck.Parse<T>(bytes, role)?.Document : null;

    private static bool SameKeys(RootDocument a, RootDocument b, string role) =>
        a.Roles.TryGetValue(role, out var x) && b.Roles.TryGetValue(role, out var y) && x.Threshold == y.Threshold
        && x.KeyIds.Order(StringComparer.Ordinal).SequenceEqual(y.KeyIds.Order(StringComparer.Ordinal));
}
