using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Iris.Firmware.Durable;
using Iris.Firmware.Metadata;

namespace Iris.Firmware.Repository;

/// <summary>Which keys sign each role when publishing, and for how long each role's signature stays valid.</summary>
public sealed record PublishingKeys(
    IReadOnlyList<IMetadataSigner> Targets,
    IReadOnlyList<IMetadataSigner> Snapshot,
    IReadOnlyList<IMetadataSigner> Timestamp);

public sealed record RoleLifetimes(TimeSpan Root, TimeSpan Targets, TimeSpan Snapshot, TimeSpan Timestamp)
{
    public static readonly RoleLifetimes Default = new(TimeSpan.FromDays(365), TimeSpan.FromDays(90), TimeSpan.FromDays(7), TimeSpan.FromDays(1));
}

/// <summary>
/// Factory side: maintains a static repository directory (metadata/ and targets/) that any HTTPS server can
/// serve. Every step is staged in memory first and checked by the device's own client (<see cref="PublishCheck"/>)
/// on a clock <see cref="SafetyMargin"/> ahead; only a step every device would accept is written. Files have
/// consistent-snapshot names (N.snapshot.json, N.targets.json, targets/HASH.NAME), so a client reading during a
/// publish sees the old set or the new set; the bundle is written first and timestamp.json last.
/// </summary>
public sealed partial class RepositoryPublisher(string repositoryDirectory, TimeProvider time)
{
    /// <summary>
    /// Everything published must still be accepted this long after it was written, so a device whose clock runs
    /// a little ahead, or a scheduled refresh that runs a little late, never meets expired metadata.
    /// </summary>
    public static readonly TimeSpan SafetyMargin = TimeSpan.FromHours(1);

    public string MetadataDirectory => Path.Combine(repositoryDirectory, RepositoryClient.MetadataFolder);

    public string TargetsDirectory => Path.Combine(repositoryDirectory, RepositoryClient.TargetsFolder);

    /// <summary>True when the directory holds a repository (root version 1 at least).</summary>
    public bool Exists => RootVersion > 0;

    /// <summary>The newest root version published (0 when there is no repository).</summary>
    public long RootVersion => LatestVersion(RoleName.Root);

    /// <summary>A root document naming the given keys per role, with thresholds.</summary>
    public static RootDocument NewRoot(long version, DateTimeOffset expires, IReadOnlyDictionary<string, (IReadOnlyList<IMetadataSigner> Keys, int Threshold)> roles)
    {
        var keys = new Dictionary<string, PublicKeyEntry>(StringComparer.Ordinal);
        var roleKeys = new Dictionary<string, RoleKeys>(StringComparer.Ordinal);
        foreach (var (role, (signers, threshold)) in roles)
        {
            foreach (var signer in signers)
            {
                keys[MetadataSignatures.KeyId(signer.PublicKey)] = MetadataWriter.KeyEntry(signer);
            }

            roleKeys[role] = new RoleKeys(signers.Select(s => MetadataSignatures.KeyId(s.PublicKey)).ToList(), threshold);
        }

        return new RootDocument(RoleName.Root, version, expires, keys, roleKeys);
    }

    /// <summary>Writes root version 1 (the one devices are shipped with) and an empty release set.</summary>
    public byte[] Initialise(RootDocument root, IReadOnlyList<IMetadataSigner> rootSigners, PublishingKeys keys, RoleLifetimes lifetimes)
    {
        if (Exists)
        {
            throw new InvalidOperationException($"'{repositoryDirectory}' already holds a repository.");
        }

        if (root.Version != 1)
        {
            throw new ArgumentException("A new repository starts at root version 1.", nameof(root));
        }

        RequireSoundRoot(root);
        RequireMargin(lifetimes);
        var bytes = MetadataWriter.Sign(root, rootSigners);
        // Devices trust the shipped root as it is, so the factory checks its signatures for them.
        var (selfSigned, outcome) = MetadataCheck.Verify<RootDocument>(bytes, RoleName.Root, root);
        if (selfSigned is null)
        {
            throw Refused(outcome with { Message = $"root version 1: {outcome.Message}" });
        }

        var change = new StagedChange();
        change.Add(RepositoryClient.RootPath(1), bytes);
        StagePublish(change, [], keys, lifetimes);
        Commit(change);
        return bytes;
    }

    /// <summary>
    /// Root key rotation: the next root, signed by the keys of the current root and by its own, and the current
    /// releases signed again by the keys it names (so a device that moves to it finds metadata it accepts).
    /// </summary>
    public byte[] RotateRoot(RootDocument next, IReadOnlyList<IMetadataSigner> currentRootSigners, IReadOnlyList<IMetadataSigner> nextRootSigners,
        PublishingKeys nextKeys, RoleLifetimes lifetimes)
    {
        var current = RequireRepository();
        if (next.Version != current + 1)
        {
            throw new ArgumentException($"The next root must be version {current + 1}.", nameof(next));
        }

        RequireSoundRoot(next);
        RequireMargin(lifetimes);
        var bytes = MetadataWriter.Sign(next, currentRootSigners.Concat(nextRootSigners).DistinctBy(s => MetadataSignatures.KeyId(s.PublicKey)));
        var change = new StagedChange();
        change.Add(RepositoryClient.RootPath(next.Version), bytes);
        StagePublish(change, CurrentTargets(), nextKeys, lifetimes);
        Commit(change);
        return bytes;
    }

    /// <summary>The targets currently published.</summary>
    public IReadOnlyList<TargetEntry> CurrentTargets()
    {
        var version = LatestVersion(RoleName.Targets);
        if (version == 0)
        {
            return [];
        }

        var bytes = File.ReadAllBytes(Path.Combine(repositoryDirectory, RepositoryClient.TargetsPath(version)));
        return MetadataCheck.Parse<TargetsDocument>(bytes, RoleName.Targets)?.Document.Targets
            ?? throw new InvalidDataException("The repository's current targets metadata is not readable.");
    }

    /// <summary>Copies an encrypted bundle in under its hash and publishes it alongside the current releases.</summary>
    public TargetEntry AddRelease(string name, string encryptedBundle, ReleaseInfo release, PublishingKeys keys, RoleLifetimes lifetimes)
    {
        if (!TargetName().IsMatch(name))
        {
            throw new ArgumentException($"'{name}' is not a valid target name (letters, digits, '.', '-', '_').", nameof(name));
        }

        RequireRepository();
        RequireMargin(lifetimes);
        string sha256;
        long length;
        using (var stream = File.OpenRead(encryptedBundle))
        {
            length = stream.Length;
            sha256 = Convert.ToHexStringLower(SHA256.HashData(stream));
        }

        var entry = new TargetEntry(name, length, sha256, release);
        var change = new StagedChange { Bundle = (encryptedBundle, entry) };
        StagePublish(change, [.. CurrentTargets().Where(t => t.Name != name), entry], keys, lifetimes);
        Commit(change);
        return entry;
    }

    /// <summary>Writes new targets, snapshot and timestamp versions (timestamp last).</summary>
    public void Publish(IReadOnlyList<TargetEntry> targets, PublishingKeys keys, RoleLifetimes lifetimes)
    {
        RequireRepository();
        RequireMargin(lifetimes);
        var change = new StagedChange();
        StagePublish(change, targets, keys, lifetimes);
        Commit(change);
    }

    /// <summary>A fresh timestamp over the current snapshot: run regularly so devices never see stale metadata.</summary>
    public void RefreshTimestamp(IReadOnlyList<IMetadataSigner> timestampSigners, TimeSpan lifetime)
    {
        RequireRepository();
        RequireMargin(RoleName.Timestamp, lifetime);
        var snapshotVersion = LatestVersion(RoleName.Snapshot);
        var snapshotPath = Path.Combine(repositoryDirectory, RepositoryClient.SnapshotPath(snapshotVersion));
        if (!File.Exists(snapshotPath))
        {
            throw new InvalidDataException($"'{repositoryDirectory}' has no snapshot metadata to timestamp.");
        }

        var change = new StagedChange();
        StageTimestamp(change, snapshotVersion, File.ReadAllBytes(snapshotPath), timestampSigners, lifetime);
        Commit(change);
    }

    private void StagePublish(StagedChange change, IReadOnlyList<TargetEntry> targets, PublishingKeys keys, RoleLifetimes lifetimes)
    {
        var now = time.GetUtcNow();
        var targetsDocument = new TargetsDocument(RoleName.Targets, LatestVersion(RoleName.Targets) + 1, now + lifetimes.Targets, targets);
        var targetsBytes = MetadataWriter.Sign(targetsDocument, keys.Targets);
        change.Add(RepositoryClient.TargetsPath(targetsDocument.Version), targetsBytes);
        var snapshot = new SnapshotDocument(RoleName.Snapshot, LatestVersion(RoleName.Snapshot) + 1, now + lifetimes.Snapshot,
            new MetaFile(targetsDocument.Version, targetsBytes.Length, MetadataCheck.Sha256Hex(targetsBytes)));
        var snapshotBytes = MetadataWriter.Sign(snapshot, keys.Snapshot);
        change.Add(RepositoryClient.SnapshotPath(snapshot.Version), snapshotBytes);
        StageTimestamp(change, snapshot.Version, snapshotBytes, keys.Timestamp, lifetimes.Timestamp);
    }

    private void StageTimestamp(StagedChange change, long snapshotVersion, byte[] snapshotBytes, IReadOnlyList<IMetadataSigner> signers, TimeSpan lifetime)
    {
        var path = Path.Combine(repositoryDirectory, RepositoryClient.TimestampPath);
        var previous = File.Exists(path) ? MetadataCheck.Parse<TimestampDocument>(File.ReadAllBytes(path), RoleName.Timestamp)?.Document.Version ?? 0 : 0;
        var timestamp = new TimestampDocument(RoleName.Timestamp, previous + 1, time.GetUtcNow() + lifetime,
            new MetaFile(snapshotVersion, snapshotBytes.Length, MetadataCheck.Sha256Hex(snapshotBytes)));
        change.Add(RepositoryClient.TimestampPath, MetadataWriter.Sign(timestamp, signers));
    }

    /// <summary>Checks the staged step as devices will see it, then writes it: bundle, root, targets, snapshot, timestamp last.</summary>
    private void Commit(StagedChange change)
    {
        var outcome = PublishCheck.Check(repositoryDirectory, change, time, SafetyMargin);
        if (!outcome.Succeeded)
        {
            throw Refused(outcome);
        }

        Directory.CreateDirectory(MetadataDirectory);
        Directory.CreateDirectory(TargetsDirectory);
        if (change.Bundle is { } bundle)
        {
            CopyBundle(bundle.Source, bundle.Entry);
        }

        foreach (var (relativePath, bytes) in change.Files)
        {
            DurableFile.WriteAtomically(DiskFileSystem.Instance, Path.Combine(repositoryDirectory, relativePath), bytes, Published);
        }
    }

    /// <summary>Copies the bundle under its final name through a temporary file, hashing what was copied against the entry.</summary>
    private void CopyBundle(string source, TargetEntry entry)
    {
        var destination = Path.Combine(repositoryDirectory, RepositoryClient.TargetPath(entry));
        var temporary = $"{destination}.tmp-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        try
        {
            using (var input = File.OpenRead(source))
            using (var output = DiskFileSystem.Instance.Create(temporary, Published))
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                var buffer = new byte[1 << 20];
                int read;
                while ((read = input.Read(buffer)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    output.Write(buffer, 0, read);
                }

                DiskFileSystem.Instance.Flush(output);
                if (output.Length != entry.Length || Convert.ToHexStringLower(hash.GetHashAndReset()) != entry.Sha256)
                {
                    throw new InvalidDataException($"The bundle '{source}' changed while it was being published; nothing was published.");
                }
            }

            DiskFileSystem.Instance.Rename(temporary, destination);
            DiskFileSystem.Instance.FlushDirectory(TargetsDirectory);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static PublishRefusedException Refused(UpdateOutcome outcome) => new(outcome,
        $"Nothing was published: devices would refuse the repository ({outcome.Code}): {outcome.Message}.");

    private long RequireRepository()
    {
        var version = LatestVersion(RoleName.Root);
        return version > 0 ? version : throw new InvalidOperationException($"'{repositoryDirectory}' is not an Iris repository; run 'repo init' first.");
    }

    private void RequireSoundRoot(RootDocument root)
    {
        if (!MetadataCheck.IsSoundRoot(root))
        {
            throw new ArgumentException("Every role needs keys, and no threshold may be higher than the number of keys for its role.", nameof(root));
        }

        RequireMargin(RoleName.Root, root.Expires - time.GetUtcNow());
    }

    private static void RequireMargin(RoleLifetimes lifetimes)
    {
        RequireMargin(RoleName.Targets, lifetimes.Targets);
        RequireMargin(RoleName.Snapshot, lifetimes.Snapshot);
        RequireMargin(RoleName.Timestamp, lifetimes.Timestamp);
    }

    private static void RequireMargin(string role, TimeSpan lifetime)
    {
        if (lifetime <= SafetyMargin)
        {
            var validFor = lifetime <= TimeSpan.Zero ? "no time at all (it would be published expired)" : $"only {lifetime.TotalHours:0.##} hour(s)";
            throw new ArgumentException($"The {role} metadata would be valid for {validFor}; it must stay valid for more than "
                + $"{SafetyMargin.TotalHours:0.#} hour(s) after publishing, or devices refuse it before it can be refreshed. Nothing was published.");
        }
    }

    private const UnixFileMode Published = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private long LatestVersion(string role) =>
        Directory.Exists(MetadataDirectory)
            ? Directory.EnumerateFiles(MetadataDirectory, $"*.{role}.json")
                .Select(p => long.TryParse(Path.GetFileName(p).Split('.')[0], out var v) ? v : 0).DefaultIfEmpty(0).Max()
            : 0;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex TargetName();
}
