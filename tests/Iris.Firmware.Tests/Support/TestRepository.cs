using System.Security.Cryptography;
using Iris.Firmware.Metadata;
using Iris.Firmware.Repository;
using Microsoft.Extensions.Time.Testing;

namespace Iris.Firmware.Tests.Support;

/// <summary>A temporary directory, deleted with the test.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("iris-fw-").FullName;

    public string Sub(string name)
    {
        var path = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(path);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>
/// A real repository on disk with fresh role keys (generated per test run, never stored), a device-side trusted
/// store holding root version 1, and a clock the test controls.
/// </summary>
public sealed class TestRepository : IDisposable
{
    public const string Model = "Iris Camera TEST";

    private readonly TempDir _dir = new();

    public TestRepository(int rootKeys = 1, int rootThreshold = 1, int targetsKeys = 1, int targetsThreshold = 1)
    {
        Time = new FakeTimeProvider(new DateTimeOffset(2027, 3, 1, 8, 0, 0, TimeSpan.Zero));
        RootSigners = NewSigners(rootKeys);
        TargetsSigners = NewSigners(targetsKeys);
        Keys = new PublishingKeys(TargetsSigners.Take(targetsThreshold).ToList(), NewSigners(1), NewSigners(1));
        Root = RepositoryPublisher.NewRoot(1, Time.GetUtcNow().AddDays(365), new Dictionary<string, (IReadOnlyList<IMetadataSigner>, int)>
        {
            [RoleName.Root] = (RootSigners, rootThreshold),
            [RoleName.Targets] = (TargetsSigners, targetsThreshold),
            [RoleName.Snapshot] = (Keys.Snapshot, 1),
            [RoleName.Timestamp] = (Keys.Timestamp, 1),
        });
        RepositoryDirectory = _dir.Sub("repository");
        Publisher = new RepositoryPublisher(RepositoryDirectory, Time);
        var rootBytes = Publisher.Initialise(Root, RootSigners.Take(rootThreshold).ToList(), Keys, RoleLifetimes.Default);
        DeviceDirectory = _dir.Sub("device");
        Store = new DirectoryMetadataStore(Path.Combine(DeviceDirectory, "trusted"));
        Store.Save(RoleName.Root, rootBytes);
        Transport = new DirectoryRepository(RepositoryDirectory);
        DeviceKey = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
    }

    public FakeTimeProvider Time { get; }

    public IReadOnlyList<IMetadataSigner> RootSigners { get; }

    public IReadOnlyList<IMetadataSigner> TargetsSigners { get; }

    public PublishingKeys Keys { get; set; }

    public RootDocument Root { get; }

    public string RepositoryDirectory { get; }

    public RepositoryPublisher Publisher { get; }

    public string DeviceDirectory { get; }

    public DirectoryMetadataStore Store { get; }

    public DirectoryRepository Transport { get; }

    /// <summary>The device's update key: releases are wrapped for it.</summary>
    public ECDiffieHellman DeviceKey { get; }

    public string Scratch(string name) => _dir.Sub(name);

    public RepositoryClient Client() => new(Transport, Store, Time);

    public static IReadOnlyList<IMetadataSigner> NewSigners(int count) =>
        Enumerable.Range(0, count).Select(_ => (IMetadataSigner)new EcdsaMetadataSigner(ECDsa.Create(ECCurve.NamedCurves.nistP256))).ToList();

    /// <summary>Builds and publishes a directory release holding the given files.</summary>
    public async Task<TargetEntry> PublishDirectoryAsync(string version, long securityVersion = 1, string model = Model,
        IReadOnlyDictionary<string, string>? files = null, byte[]? recipient = null)
    {
        var source = _dir.Sub($"source-{version}-{Guid.NewGuid():N}");
        foreach (var (name, content) in files ?? DefaultFiles(version))
        {
            var path = Path.Combine(source, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, content);
            if (name == "start.sh")
            {
                File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute);
            }
        }

        var bundle = Path.Combine(_dir.Sub("bundles"), $"camera-{version}-{Guid.NewGuid():N}.irfw");
        var release = await ReleaseBuilder.BuildAsync(source,
            new ReleaseDescription("directory", "start.sh", [model], version, securityVersion, new DateOnly(2031, 12, 31)),
            [recipient ?? DeviceKey.ExportSubjectPublicKeyInfo()], bundle, chunkSize: 4096);
        return Publisher.AddRelease($"camera-{version}.irfw", bundle, release, Keys, RoleLifetimes.Default);
    }

    public static IReadOnlyDictionary<string, string> DefaultFiles(string version) => new Dictionary<string, string>
    {
        ["start.sh"] = "#!/bin/sh\necho " + version + "\n",
        ["lib/app.dll"] = string.Concat(Enumerable.Repeat($"application {version} ", 2000)),
        ["wwwroot/index.html"] = "<!doctype html><title>Iris</title>",
    };

    public string PathOf(string relative) => Path.Combine(RepositoryDirectory, relative);

    /// <summary>
    /// Serves the current targets again as a new version signed by <paramref name="targetsSigners"/>, pinned by a new
    /// snapshot and timestamp, written straight into the directory: what an attacker or a broken tool could serve.
    /// (The factory's publisher refuses to write anything a device would refuse.)
    /// </summary>
    public void ForgeTargets(IReadOnlyList<IMetadataSigner> targetsSigners)
    {
        var timestamp = Current<TimestampDocument>(RepositoryClient.TimestampPath, RoleName.Timestamp);
        var snapshot = Current<SnapshotDocument>(RepositoryClient.SnapshotPath(timestamp.Snapshot.Version), RoleName.Snapshot);
        var targets = Current<TargetsDocument>(RepositoryClient.TargetsPath(snapshot.Targets.Version), RoleName.Targets);
        var targetsBytes = MetadataWriter.Sign(targets with { Version = targets.Version + 1 }, targetsSigners);
        File.WriteAllBytes(PathOf(RepositoryClient.TargetsPath(targets.Version + 1)), targetsBytes);
        var nextSnapshot = snapshot with { Version = snapshot.Version + 1, Targets = new MetaFile(targets.Version + 1, targetsBytes.Length, MetadataCheck.Sha256Hex(targetsBytes)) };
        var snapshotBytes = MetadataWriter.Sign(nextSnapshot, Keys.Snapshot);
        File.WriteAllBytes(PathOf(RepositoryClient.SnapshotPath(nextSnapshot.Version)), snapshotBytes);
        var nextTimestamp = timestamp with { Version = timestamp.Version + 1, Snapshot = new MetaFile(nextSnapshot.Version, snapshotBytes.Length, MetadataCheck.Sha256Hex(snapshotBytes)) };
        File.WriteAllBytes(PathOf(RepositoryClient.TimestampPath), MetadataWriter.Sign(nextTimestamp, Keys.Timestamp));
    }

    /// <summary>A new timestamp over the current snapshot signed by <paramref name="signers"/>, written past the factory's check.</summary>
    public void ForgeTimestamp(IReadOnlyList<IMetadataSigner> signers)
    {
        var timestamp = Current<TimestampDocument>(RepositoryClient.TimestampPath, RoleName.Timestamp);
        File.WriteAllBytes(PathOf(RepositoryClient.TimestampPath), MetadataWriter.Sign(timestamp with { Version = timestamp.Version + 1 }, signers));
    }

    private T Current<T>(string path, string role) where T : class, IRoleDocument =>
        MetadataCheck.Parse<T>(File.ReadAllBytes(PathOf(path)), role)?.Document ?? throw new InvalidDataException($"{path} is not readable");

    public void Dispose()
    {
        DeviceKey.Dispose();
        _dir.Dispose();
    }
}
