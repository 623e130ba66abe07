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

    public void Dispose()
    {
        DeviceKey.Dispose();
        _dir.Dispose();
    }
}
