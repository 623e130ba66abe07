using Iris.Firmware.Durable;
using Iris.Firmware.Metadata;
using Iris.Firmware.Slots;
using Iris.Firmware.Tests.Support;

namespace Iris.Firmware.Tests.Slots;

/// <summary>
/// The power-loss suite (issue 5, deliver 4): the install is cut after write N for every N across the whole
/// install, unsynced data is then lost, and the device must boot the old version or the new one (never
/// neither), from a slot record with at least one valid copy and a slot that holds exactly that version.
/// </summary>
public sealed class PowerLossTests
{
    [Fact]
    public async Task InstallInterruptedAfterEveryWrite_AlwaysBootsOldOrNew()
    {
        using var repo = new TestRepository();
        var target = await repo.PublishDirectoryAsync("1.1.0", securityVersion: 2);
        var (bundle, downloaded) = await new TestDevice(repo).DownloadAsync(target);
        Assert.True(downloaded.Succeeded);

        // Count the writes of an uninterrupted install, then cut at each one of them. The count varies a little
        // from run to run (how the tar stream arrives through the pipe decides how many writes a file takes),
        // so the cuts run past it; a run the cut never reached must have finished the install.
        var counting = new PowerCutFileSystem(long.MaxValue);
        var clean = new TestDevice(repo);
        clean.UseFileSystem(counting);
        Assert.True((await clean.InstallAsync(target, bundle)).Succeeded);
        var total = counting.Operations;
        Assert.True(total > 20, $"only {total} writes counted");

        var outcomes = new Dictionary<string, int>();
        for (long cut = 0; cut <= total + 40; cut++)
        {
            var device = new TestDevice(repo);
            var fs = new PowerCutFileSystem(cut);
            device.UseFileSystem(fs);
            try
            {
                await device.InstallAsync(target, bundle);
            }
            catch (PowerCutException)
            {
            }

            if (!fs.Cut)
            {
                Assert.Equal("1.1.0", device.Slots.Load()!.B.Version);
            }

            fs.LoseUnsyncedData();

            var booted = Reboot(device, cut);
            outcomes[booted] = outcomes.GetValueOrDefault(booted) + 1;
        }

        // Both outcomes occur: early cuts keep the old version, the last ones boot the new one on trial.
        Assert.True(outcomes.GetValueOrDefault(TestDevice.FactoryVersion) > 0);
        Assert.True(outcomes.GetValueOrDefault("1.1.0") > 0);
    }

    [Fact]
    public async Task MarkGoodInterrupted_AtEveryWrite_KeepsAValidRecord()
    {
        using var repo = new TestRepository();
        var target = await repo.PublishDirectoryAsync("1.1.0", securityVersion: 2);
        var device = new TestDevice(repo);
        var (bundle, _) = await device.DownloadAsync(target);
        Assert.True((await device.InstallAsync(target, bundle)).Succeeded);
        var installed = device.Slots.Load()!;

        for (long cut = 0; cut < 8; cut++)
        {
            var store = new SlotRecordStore(new PowerCutFileSystem(cut), device.BootDirectory);
            var before = store.Load()!;
            try
            {
                store.Save(BootDecisions.MarkGood(before, "b", repo.Time.GetUtcNow()));
            }
            catch (PowerCutException)
            {
            }

            var after = new SlotRecordStore(DiskFileSystem.Instance, device.BootDirectory);
            Assert.True(after.ValidCopies() >= 1, $"cut {cut}: no valid copy");
            var record = after.Load()!;
            Assert.True(record.B.Successful || record.B == installed.B, $"cut {cut}: slot b is half-marked");
            Assert.True(record.SecurityCounter is 1 or 2);

            // Put the installed record back for the next cut.
            new SlotRecordStore(DiskFileSystem.Instance, device.BootDirectory).Save(installed);
        }
    }

    private static string Reboot(TestDevice device, long cut)
    {
        var store = new SlotRecordStore(DiskFileSystem.Instance, device.BootDirectory);
        Assert.True(store.ValidCopies() >= 1, $"cut {cut}: no valid slot record copy");
        var record = store.Load()!;
        var choice = BootDecisions.Choose(record);
        Assert.True(choice is not null, $"cut {cut}: no bootable slot");
        Assert.True(TestDevice.SlotHolds(device.SlotDirectory(choice.Slot), choice.State.Version),
            $"cut {cut}: slot {choice.Slot} does not hold version {choice.State.Version}");
        Assert.Contains(choice.State.Version, new[] { TestDevice.FactoryVersion, "1.1.0" });
        return choice.State.Version;
    }
}
