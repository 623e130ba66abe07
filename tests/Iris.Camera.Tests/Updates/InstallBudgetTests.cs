using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Iris.Camera.Tests.Factory;
using Iris.Camera.Tests.Support;
using Iris.Camera.Updates;
using Iris.Firmware.Agent;
using Iris.Firmware.Durable;
using Iris.Firmware.Metadata;
using Iris.Firmware.Slots;
using Xunit.Abstractions;

namespace Iris.Camera.Tests.Updates;

/// <summary>
/// Issue 18, Deliver 2: the installer inside the daemon stays within a fixed memory budget whatever the bundle
/// size. This is the daemon's path end to end: the HTTPS download (<see cref="HttpsUpdateTransport"/>, with its
/// slow-retrieval guard and progress), the check against the signed length and hash, and the decrypt into a
/// directory slot (<see cref="UpdateEngine"/>). Whatever it allocates per read or per chunk becomes garbage the GC
/// must make room for; on a device that room is resident memory that grows with the bundle. Allocations are
/// counted process-wide (the path runs on several threads; the repository is served by nginx, in its own
/// process), so the class runs alone.
/// </summary>
[Collection(InstallBudget.Name)]
public sealed class InstallBudgetTests(ITestOutputHelper output)
{
    private const int SmallMiB = 4;
    private const int LargeMiB = 68;

    [Fact]
    public async Task DownloadingAndInstallingALargerBundle_AllocatesNoMore_ThanASmallOnePlusAConstant()
    {
        await using var repo = new UpdateTestRepository();
        using var dir = new TempDirectory();
        var factory = repo.ScriptApplication("factory", "exit 0");
        var small = await PublishAsync(repo, SmallMiB, "0.2.0");
        var large = await PublishAsync(repo, LargeMiB, "0.3.0");
        // The repository is served by nginx, in its own process, so only the device's side is counted.
        var port = NginxRepositoryTests.FreePort();
        using var leaf = TestCertificates.IssueServer(repo.Ca, repo.CaKey, "127.0.0.1");
        await File.WriteAllTextAsync(dir.Combine("fullchain.pem"), leaf.ExportCertificatePem());
        await File.WriteAllTextAsync(dir.Combine("privkey.pem"), leaf.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        using var nginx = await NginxRepositoryTests.StartNginxAsync(dir.Path, string.Create(CultureInfo.InvariantCulture, $$"""
            server {
                listen 127.0.0.1:{{port}} ssl;
                ssl_certificate {{dir.Combine("fullchain.pem")}};
                ssl_certificate_key {{dir.Combine("privkey.pem")}};
                root {{repo.RepositoryDirectory}};
            }
            """), port);
        using var transport = new HttpsUpdateTransport(new Uri(string.Create(CultureInfo.InvariantCulture, $"https://127.0.0.1:{port}/")), [repo.Ca], TimeProvider.System);
        var device = new Device(transport, repo.UpdateKey, factory, dir);
        await device.InstallAsync(small);

        // The lesser of two installs of each size: a shared pool that a GC happened to trim (a buffer rented anew)
        // costs the same at either size and is not what this test is about.
        var smallCost = Cost.Min(await device.InstallAsync(small), await device.InstallAsync(small));
        var largeCost = Cost.Min(await device.InstallAsync(large), await device.InstallAsync(large));
        output.WriteLine($"allocated: {SmallMiB} MiB bundle {smallCost}; {LargeMiB} MiB bundle {largeCost}");

        // 64 MiB more through TLS, the download file, the hash check, the decryptor, the pipe and the tar reader.
        // A buffer per read or per chunk anywhere on the way is megabytes more. What is allowed: a few objects per
        // chunk or per TLS record (measured: +5 KiB for the download, +0.4 MiB for the install, 6 KiB a chunk).
        var extraDownload = largeCost.Download - smallCost.Download;
        var extraInstall = largeCost.Install - smallCost.Install;
        Assert.True(extraDownload < 512L << 10, $"downloading {LargeMiB - SmallMiB} MiB more allocated {extraDownload >> 10} KiB more");
        Assert.True(extraInstall < 1L << 20, $"installing {LargeMiB - SmallMiB} MiB more allocated {extraInstall >> 10} KiB more");

        // And the constant itself: two chunk buffers, the pipe's blocks (its 1 MiB threshold and one chunk written
        // past it) and the extractor's 256 KiB copy buffer, about 4.3 MiB. A third chunk buffer, a chunk-sized
        // file buffer or a deeper pipe shows here (with all three, and a 4 MiB pipe, it was 7-9 MiB).
        Assert.True(largeCost.Install < 5L << 20, $"an install allocated {largeCost.Install >> 10} KiB");
    }

    private static async Task<TargetEntry> PublishAsync(UpdateTestRepository repo, int mib, string version)
    {
        var source = repo.ScriptApplication($"release-{version}", "exit 0");
        await using (var data = File.Create(Path.Combine(source, "payload.bin")))
        {
            var block = new byte[1 << 20];
            for (var i = 0; i < mib; i++)
            {
                RandomNumberGenerator.Fill(block);
                await data.WriteAsync(block);
            }
        }

        return await repo.PublishAsync(source, version, entry: "start.sh");
    }

    private readonly record struct Cost(long Download, long Install)
    {
        public static Cost Min(Cost a, Cost b) => new(Math.Min(a.Download, b.Download), Math.Min(a.Install, b.Install));

        public override string ToString() => $"download {Download >> 10} KiB, install {Install >> 10} KiB";
    }

    /// <summary>The daemon's download and install steps, each counted on its own, onto a freshly provisioned device each time.</summary>
    private sealed class Device(HttpsUpdateTransport transport, ECDiffieHellman key, string factory, TempDirectory dir)
    {
        public async Task<Cost> InstallAsync(TargetEntry target)
        {
            var boot = UpdateTestRepository.ProvisionSlots(dir.Combine($"boot-{Guid.NewGuid():N}"), factory, "start.sh");
            var engine = new UpdateEngine(new SlotRecordStore(DiskFileSystem.Instance, boot), TimeProvider.System);
            var slots = new DirectorySlotInstaller(DiskFileSystem.Instance, boot);
            var downloads = dir.Combine("download");
            Directory.CreateDirectory(downloads);
            var file = Path.Combine(downloads, $"{target.Sha256}.irfw");
            File.Delete(file);
            var progress = new Progress();

            var before = GC.GetTotalAllocatedBytes(precise: true);
            var downloaded = await UpdateEngine.DownloadAsync(transport, target, file, progress, CancellationToken.None);
            var afterDownload = GC.GetTotalAllocatedBytes(precise: true);
            Assert.True(downloaded.Succeeded, downloaded.Message);
            var installed = await engine.InstallAsync(target, file, key, slots, "a", UpdateEngine.DefaultBootTries, progress, CancellationToken.None);
            var afterInstall = GC.GetTotalAllocatedBytes(precise: true);

            Assert.True(installed.Succeeded, installed.Message);
            Assert.Equal(target.Release.Payload.PlaintextLength, progress.Last);
            Directory.Delete(boot, recursive: true);
            File.Delete(file);
            return new Cost(afterDownload - before, afterInstall - afterDownload);
        }
    }

    /// <summary>The status page's kind of progress: it keeps the last value, as UpdateStatusStore does.</summary>
    private sealed class Progress : IProgress<long>
    {
        public long Last { get; private set; }

        public void Report(long value) => Last = value;
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class InstallBudget
{
    public const string Name = "install budget";
}
