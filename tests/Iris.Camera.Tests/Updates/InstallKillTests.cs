using System.Security.Cryptography;
using System.Text.Json;
using Iris.Camera.Tests.Support;
using Iris.Firmware.Durable;
using Iris.Firmware.Metadata;
using Iris.Firmware.Slots;

namespace Iris.Camera.Tests.Updates;

/// <summary>
/// The SIGKILL half of the power-loss suite: a real process installing a bundle is killed at many points
/// across the install, and the device must then boot the old or the new version (never neither) from a
/// valid slot record, with the chosen slot holding exactly that version. (The fault-injecting writer that
/// stops after every single write is in Iris.Firmware.Tests, PowerLossTests.)
/// </summary>
[Collection(UpdateProcesses.Name)]
public sealed class InstallKillTests
{
    [Fact]
    public async Task InstallKilledAtManyPoints_AlwaysBootsOldOrNew()
    {
        await using var repo = new UpdateTestRepository();
        var factory = repo.ScriptApplication("factory", "exit 0");
        var release = repo.ScriptApplication("release", "exit 0");
        await File.WriteAllBytesAsync(Path.Combine(release, "big.bin"), RandomNumberGenerator.GetBytes(6 << 20));
        var target = await repo.PublishAsync(release, "0.2.0", entry: "start.sh", chunkSize: 64 * 1024);
        var targetJson = Path.Combine(repo.Scratch("job"), "target.json");
        await File.WriteAllBytesAsync(targetJson, JsonSerializer.SerializeToUtf8Bytes(target, MetadataJson.Options));
        var keyFile = repo.WriteUpdateKeyFile();

        // An uninterrupted install, to know how many progress steps there are.
        var (total, cleanSlot) = await RunAsync(repo, factory, release, target, targetJson, keyFile, killAfter: null);
        Assert.True(total > 50, $"only {total} progress steps");
        Assert.Equal("b", cleanSlot);

        foreach (var killAfter in new[] { 1, total / 8, total / 4, total / 2, 3 * total / 4, total - 2, total - 1, total })
        {
            var (_, booted) = await RunAsync(repo, factory, release, target, targetJson, keyFile, killAfter);

            // Killed while the slot was still being written (the last step is followed by the read-back and the
            // record update, so even a kill there finds the old slot): the old version must boot.
            Assert.Equal("a", booted);
        }
    }

    /// <summary>Runs one install (killed after the given progress line), checks what would boot, and returns the progress count and that slot.</summary>
    private static async Task<(int Progress, string Slot)> RunAsync(UpdateTestRepository repo, string factory, string release, TargetEntry target, string targetJson,
        string keyFile, int? killAfter)
    {
        using var dir = new TempDirectory();
        var boot = UpdateTestRepository.ProvisionSlots(dir.Combine("boot"), factory, "start.sh");
        using var child = ChildProcess.Start("Iris.Camera.CrashWriter", ["install", boot, repo.ServedPath(target), targetJson, keyFile]);
        // The child waits after each chunk; it goes on only when told, so the kill lands exactly after chunk N.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var released = 0;
        while (!child.HasExited)
        {
            var progress = Progress(child);
            if (killAfter is { } n && progress >= n)
            {
                break;
            }

            if (progress > released)
            {
                child.WriteLine("go");
                released = progress;
            }

            Assert.True(DateTime.UtcNow < deadline, "install did not progress:\n" + child.StandardOutput + child.StandardError);
            await Task.Delay(1);
        }

        if (killAfter is null)
        {
            Assert.Equal(0, await child.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains("done Ok", child.StandardOutput, StringComparison.Ordinal);
        }
        else
        {
            child.Kill();
        }

        var store = new SlotRecordStore(DiskFileSystem.Instance, boot);
        Assert.True(store.ValidCopies() >= 1, $"kill after {killAfter}: no valid slot record copy");
        var choice = BootDecisions.Choose(store.Load()!);
        Assert.NotNull(choice);
        Assert.Equal(choice.Slot == "a" ? "0.1.0" : "0.2.0", choice.State.Version);
        AssertSameFiles(choice.Slot == "a" ? factory : release, Path.Combine(boot, "slots", choice.Slot));
        return (Progress(child), choice.Slot);
    }

    private static int Progress(ChildProcess child) =>
        child.StandardOutput.Split('\n').Count(l => l.StartsWith("wrote ", StringComparison.Ordinal));

    private static void AssertSameFiles(string expected, string actual)
    {
        var want = Directory.EnumerateFiles(expected, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(expected, f)).Order().ToList();
        var have = Directory.EnumerateFiles(actual, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(actual, f)).Order().ToList();
        Assert.Equal(want, have);
        foreach (var file in want)
        {
            Assert.True(File.ReadAllBytes(Path.Combine(expected, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(actual, file))), $"{file} differs");
        }
    }
}
