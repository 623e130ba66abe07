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
/// serve. Files are written with consistent-snapshot names (N.snapshot.json, N.targets.json, targets/HASH.NAME),
/// so a client reading during a publish sees the old set or the new set; timestamp.json is written last.
/// </summary>
public sealed partial class RepositoryPublisher(string repositoryDirectory, TimeProvider time)
{
    public string MetadataDirectory => Path.Combine(repositoryDirectory, RepositoryClient.MetadataFolder);

    public string TargetsDirectory => Path.Combine(repositoryDirectory, RepositoryClient.TargetsFolder);

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
        if (LatestVersion("root") > 0)
        {
            throw new InvalidOperationException($"'{repositoryDirectory}' already holds a repository.");
        }

        Directory.CreateDirectory(MetadataDirectory);
        Directory.CreateDirectory(TargetsDirectory);
        var bytes = MetadataWriter.Sign(root, rootSigners);
        Write(RepositoryClient.RootPath(root.Version), bytes);
        Publish([], keys, lifetimes);
        return bytes;
    }

    /// <summary>Root key rotation: the next root is signed by the keys of the current root and by its own.</summary>
    public byte[] RotateRoot(RootDocument next, IReadOnlyList<IMetadataSigner> currentRootSigners, IReadOnlyList<IMetadataSigner> nextRootSigners)
    {
        var current = LatestVersion("root");
        if (next.Version != current + 1)
        {
            throw new InvalidOperationException($"The next root must be version {current + 1}.");
        }

        var bytes = MetadataWriter.Sign(next, currentRootSigners.Concat(nextRootSigners).DistinctBy(s => MetadataSignatures.KeyId(s.PublicKey)));
        Write(RepositoryClient.RootPath(next.Version), bytes);
        return bytes;
    }

    /// <summary>The targets currently published.</summary>
    public IReadOnlyList<TargetEntry> CurrentTargets()
    {
        var version = LatestVersion("targets");
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

        string sha256;
        long length;
        using (var stream = File.OpenRead(encryptedBundle))
        {
            length = stream.Length;
            sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
        }

        var entry = new TargetEntry(name, length, sha256, release);
        var destination = Path.Combine(repositoryDirectory, RepositoryClient.TargetPath(entry));
        File.Copy(encryptedBundle, destination, overwrite: true);
        Publish([.. CurrentTargets().Where(t => t.Name != name), entry], keys, lifetimes);
        return entry;
    }

    /// <summary>Writes new targets, snapshot and timestamp versions (timestamp last).</summary>
    public void Publish(IReadOnlyList<TargetEntry> targets, PublishingKeys keys, RoleLifetimes lifetimes)
    {
        var now = time.GetUtcNow();
        var targetsDocument = new TargetsDocument(RoleName.Targets, LatestVersion("targets") + 1, now + lifetimes.Targets, targets);
        var targetsBytes = MetadataWriter.Sign(targetsDocument, keys.Targets);
        Write(RepositoryClient.TargetsPath(targetsDocument.Version), targetsBytes);
        var snapshot = new SnapshotDocument(RoleName.Snapshot, LatestVersion("snapshot") + 1, now + lifetimes.Snapshot,
            new MetaFile(targetsDocument.Version, targetsBytes.Length, MetadataCheck.Sha256Hex(targetsBytes)));
        WriteSnapshotAndTimestamp(snapshot, keys, lifetimes);
    }

    /// <summary>A fresh timestamp over the current snapshot: run regularly so devices never see stale metadata.</summary>
    public void RefreshTimestamp(IReadOnlyList<IMetadataSigner> timestampSigners, TimeSpan lifetime)
    {
        var snapshotVersion = LatestVersion("snapshot");
        var snapshotBytes = File.ReadAllBytes(Path.Combine(repositoryDirectory, RepositoryClient.SnapshotPath(snapshotVersion)));
        WriteTimestamp(snapshotVersion, snapshotBytes, timestampSigners, lifetime);
    }

    private void WriteSnapshotAndTimestamp(SnapshotDocument snapshot, PublishingKeys keys, RoleLifetimes lifetimes)
    {
        var snapshotBytes = MetadataWriter.Sign(snapshot, keys.Snapshot);
        Write(RepositoryClient.SnapshotPath(snapshot.Version), snapshotBytes);
        WriteTimestamp(snapshot.Version, snapshotBytes, keys.Timestamp, lifetimes.Timestamp);
    }

    private void WriteTimestamp(long snapshotVersion, byte[] snapshotBytes, IReadOnlyList<IMetadataSigner> signers, TimeSpan lifetime)
    {
        var path = Path.Combine(repositoryDirectory, RepositoryClient.TimestampPath);
        var previous = File.Exists(path) ? MetadataCheck.Parse<TimestampDocument>(File.ReadAllBytes(path), RoleName.Timestamp)?.Document.Version ?? 0 : 0;
        var timestamp = new TimestampDocument(RoleName.Timestamp, previous + 1, time.GetUtcNow() + lifetime,
            new MetaFile(snapshotVersion, snapshotBytes.Length, MetadataCheck.Sha256Hex(snapshotBytes)));
        Write(RepositoryClient.TimestampPath, MetadataWriter.Sign(timestamp, signers));
    }

    private long LatestVersion(string role) =>
        Directory.Exists(MetadataDirectory)
            ? Directory.EnumerateFiles(MetadataDirectory, $"*.{role}.json")
                .Select(p => long.TryParse(Path.GetFileName(p).Split('.')[0], out var v) ? v : 0).DefaultIfEmpty(0).Max()
            : 0;

    private void Write(string relativePath, byte[] bytes)
    {
        var path = Path.Combine(repositoryDirectory, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        DurableFile.WriteAtomically(DiskFileSystem.Instance, path, bytes,
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex TargetName();
}
