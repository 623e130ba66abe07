using System.Security.Cryptography;
using Iris.Firmware.Metadata;
using Iris.Firmware.Repository;
using Iris.Firmware.Tests.Support;
using Xunit.Abstractions;

namespace Iris.Firmware.Tests.Slots;

/// <summary>
/// Issue 18: the installer inside the daemon stays within a fixed memory budget whatever the bundle size. What
/// the install allocates is what the GC has to find room for; a buffer or a copy per chunk or per pipe segment
/// shows up here as allocations growing with the bundle, long before it shows up as resident memory on a
/// device. Counted process-wide (the install runs on several threads), so the class runs alone.
/// </summary>
[Collection(InstallMemory.Name)]
public sealed class InstallMemoryTests(ITestOutputHelper output)
{
    private const int SmallMiB = 4;
    private const int LargeMiB = 68;

    [Fact]
    public async Task InstallingALargerBundle_AllocatesNoMore_ThanASmallOne()
    {
        using var repo = new TestRepository();
        await AllocatedByInstallAsync(repo, SmallMiB, "1.0.1");
        // The lesser of two installs of each size: a shared pool that happens to be empty (a 1 MiB copy buffer
        // rented once) costs a few MiB either way and is not what this test is about.
        var small = Math.Min(await AllocatedByInstallAsync(repo, SmallMiB, "1.0.2"), await AllocatedByInstallAsync(repo, SmallMiB, "1.0.3"));
        var large = Math.Min(await AllocatedByInstallAsync(repo, LargeMiB, "1.0.4"), await AllocatedByInstallAsync(repo, LargeMiB, "1.0.5"));
        output.WriteLine($"allocated by the install: {SmallMiB} MiB bundle {small >> 10} KiB, {LargeMiB} MiB bundle {large >> 10} KiB");

        // 64 MiB more plaintext through the decryptor, the pipe, the tar reader and the read-back. A copy of it
        // anywhere on the way would be 64 MiB more (the pipe on ArrayPool.Shared: about 56 MiB). What is allowed:
        // small objects per chunk, and a pooled buffer or two rented anew after a GC trimmed the shared pool.
        Assert.True(large - small < 8L << 20,
            $"installing {LargeMiB} MiB allocated {large >> 10} KiB, {SmallMiB} MiB {small >> 10} KiB: {(large - small) >> 10} KiB more for {LargeMiB - SmallMiB} MiB more");
    }

    /// <summary>Publishes a release with <paramref name="mib"/> MiB of data in default-size chunks and returns the bytes its install allocated.</summary>
    private static async Task<long> AllocatedByInstallAsync(TestRepository repo, int mib, string version)
    {
        var source = repo.Scratch($"source-{version}");
        await File.WriteAllTextAsync(Path.Combine(source, "start.sh"), "#!/bin/sh\n");
        File.SetUnixFileMode(Path.Combine(source, "start.sh"), (UnixFileMode)0x1ED);
        await using (var data = File.Create(Path.Combine(source, "data.bin")))
        {
            var block = new byte[1 << 20];
            for (var i = 0; i < mib; i++)
            {
                RandomNumberGenerator.Fill(block);
                await data.WriteAsync(block);
            }
        }

        var bundle = Path.Combine(repo.Scratch("bundles"), $"{version}.irfw");
        var release = await ReleaseBuilder.BuildAsync(source,
            new ReleaseDescription("directory", "start.sh", [TestRepository.Model], version, 1, new DateOnly(2031, 12, 31)),
            [repo.DeviceKey.ExportSubjectPublicKeyInfo()], bundle);
        var target = repo.Publisher.AddRelease($"camera-{version}.irfw", bundle, release, repo.Keys, RoleLifetimes.Default);
        var device = new TestDevice(repo);
        var (file, downloaded) = await device.DownloadAsync(target);
        Assert.True(downloaded.Succeeded, downloaded.Message);

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var installed = await device.InstallAsync(target, file);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.True(installed.Succeeded, installed.Message);
        Assert.Equal(mib << 20, new FileInfo(Path.Combine(device.SlotDirectory("b"), "data.bin")).Length);
        return allocated;
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class InstallMemory
{
    public const string Name = "install memory";
}
