using System.Net;
using System.Net.Http.Json;
using Iris.Camera.Platform;
using Iris.Camera.Tests.Support;
using Iris.Camera.Updates;
using Iris.Firmware.Durable;
using Iris.Firmware.Metadata;
using Iris.Firmware.Slots;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Updates;

/// <summary>
/// Trials that end without a crash to record (IoT-1005-1 5.3.1.1, 5.6.1.1): power cuts that use up a new
/// version's tries are a rollback with its reason and an alert, and that version is not installed again
/// automatically; an orderly stop (SIGTERM) during a trial is not a failed start. Real Iris.Boot and, where
/// the rollback is reported, the real daemon, as processes; power cuts are SIGKILLs of the whole tree.
/// </summary>
[Collection(UpdateProcesses.Name)]
public sealed class TrialInterruptionTests
{
    [Fact]
    public async Task TrialSpentByPowerCuts_IsARollbackWithItsReason_Alerted_AndNotReinstalledAutomatically()
    {
        await using var repo = new UpdateTestRepository();
        await repo.StartServerAsync();
        using var dir = new TempDirectory();
        var boot = UpdateTestRepository.ProvisionSlots(dir.Combine("boot"), CameraApplication.SlotApplication, CameraApplication.SlotEntry);
        // A build that never reports healthy, so only the power cuts end its trial boots.
        await repo.PublishAsync(repo.ScriptApplication("hangs", "exec sleep 600"), "0.2.0", securityVersion: 2, entry: "start.sh");
        var settings = repo.CameraSettings();
        settings["Iris:Updates:BootTries"] = "3";
        var data = dir.Combine("data");
        using (var first = await BootedCamera.StartAsync(boot, data, settings, healthTimeoutSeconds: 600))
        {
            using (var admin = await CameraSessions.ClaimAsync(first.BaseAddress, first.Certificate, first.DefaultPassword!, InProcessCamera.OwnerPassword))
            {
                using var check = await admin.Http.PostAsync(new Uri("/api/updates/check", UriKind.Relative), null);
                using var install = await admin.Http.PostAsync(new Uri("/api/updates/install", UriKind.Relative), null);
                Assert.Equal(HttpStatusCode.Accepted, install.StatusCode);
            }

            await first.WaitForOutputAsync("starting slot b", seconds: 180);
            first.Process.Kill();
        }

        for (var cut = 2; cut <= 3; cut++)
        {
            using var launcher = BootedCamera.Launch(boot, data, settings, healthTimeoutSeconds: 600);
            await launcher.WaitForOutputAsync("starting slot b (version 0.2.0, on trial)");
            launcher.Process.Kill();
        }

        var store = new SlotRecordStore(DiskFileSystem.Instance, boot);
        Assert.Equal((0, BootDecisions.NewSlotPriority, null), (store.Load()!.B.TriesRemaining, store.Load()!.B.Priority, store.Load()!.LastRollback));

        // Power comes back for good; automatic mode checks two seconds after start.
        settings["Iris:Updates:FirstCheckDelay"] = "00:00:02";
        var poweredOn = DateTimeOffset.UtcNow;
        using var device = await BootedCamera.StartAsync(boot, data, settings, healthTimeoutSeconds: 600);
        using var owner = await device.SignInAsync();
        var status = await WaitForScheduledCheckAsync(owner, after: poweredOn);

        Assert.Contains("Iris.Boot: version 0.2.0 on slot b was rolled back: the new version did not start successfully 3 times", device.Process.StandardError,
            StringComparison.Ordinal);
        Assert.Equal(("0.1.0", "a"), (status.InstalledVersion, status.Slot));
        Assert.Contains("the new version did not start successfully 3 times", status.LastRollback!.Message, StringComparison.Ordinal);
        Assert.Equal(UpdateCode.InstallFailed, status.LastInstall!.Result);
        Assert.Contains("version 0.2.0 on slot b was rolled back", status.LastInstall.Message, StringComparison.Ordinal);
        Assert.Contains("update-rolled-back", await owner.Http.GetStringAsync(new Uri("/api/security/alerts", UriKind.Relative)), StringComparison.Ordinal);
        Assert.Contains("update-rolled-back", await owner.Http.GetStringAsync(new Uri("/api/security/events", UriKind.Relative)), StringComparison.Ordinal);
        Assert.Equal(UpdateCode.Ok, status.LastCheck!.Result);
        Assert.Contains("rolled back on this device before, so it is installed only when an administrator asks", status.LastCheck.Message, StringComparison.Ordinal);
        Assert.Equal("idle", status.Progress.Phase);
        Assert.Equal(0, store.Load()!.B.Priority);
        Assert.Equal(0, device.Count("starting slot b"));
    }

    [Fact]
    public async Task OrderlyStopsDuringATrial_DoNotUseItsTryUp_ButAPowerCutDoes()
    {
        using var dir = new TempDirectory();
        var appA = dir.Combine("app-a");
        var appB = dir.Combine("app-b");
        WriteScript(appA, "exec sleep 600");
        // A daemon that stops cleanly on SIGTERM and never reports healthy.
        WriteScript(appB, "trap 'echo stopping; exit 0' TERM\necho ready\nwhile :; do sleep 0.1; done");
        var boot = UpdateTestRepository.ProvisionSlots(dir.Combine("boot"), appA, "start.sh");
        CameraApplication.Copy(appB, Path.Combine(boot, "slots", "b"));
        var store = new SlotRecordStore(DiskFileSystem.Instance, boot);
        // As an install leaves it: slot b on trial, with a single try.
        store.Save(BootDecisions.CompleteInstall(store.Load()!, "b", new SlotState("0.2.0", 2, null, "start.sh", 0, 0, false), 1, DateTimeOffset.UtcNow));

        for (var stop = 1; stop <= 3; stop++)
        {
            using var launcher = ChildProcess.Start("Iris.Boot", ["run", "--boot-dir", boot, "--health-timeout", "600"]);
            await launcher.WaitForLineAsync(l => l == "ready", TimeSpan.FromSeconds(60));

            launcher.Terminate();

            await launcher.WaitForLineAsync(l => l.Contains("that try does not count", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
            Assert.Equal(0, await launcher.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            var record = store.Load()!;
            Assert.Equal((1, BootDecisions.NewSlotPriority, null), (record.B.TriesRemaining, record.B.Priority, record.LastRollback));
        }

        // The same moment cut by a power loss is a failed start: its only try is gone, so the next boot rolls back.
        using (var launcher = ChildProcess.Start("Iris.Boot", ["run", "--boot-dir", boot, "--health-timeout", "600"]))
        {
            await launcher.WaitForLineAsync(l => l == "ready", TimeSpan.FromSeconds(60));
            launcher.Kill();
        }

        using (var launcher = ChildProcess.Start("Iris.Boot", ["run", "--boot-dir", boot, "--health-timeout", "600"]))
        {
            await launcher.WaitForLineAsync(l => l.Contains("starting slot a", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        }

        Assert.Contains("the new version did not start successfully 1 time (", store.Load()!.LastRollback!.Reason, StringComparison.Ordinal);
        Assert.Equal(0, store.Load()!.B.Priority);
    }

    [Fact]
    public async Task RolledBackVersion_IsNotInstalledAutomatically_ButAnAdministratorMayInstallIt()
    {
        await using var repo = new UpdateTestRepository();
        await repo.StartServerAsync();
        using var dir = new TempDirectory();
        var time = new TimerAwareTimeProvider(DateTimeOffset.UtcNow);
        var restart = new RecordingRestart();
        await repo.PublishAsync(repo.ScriptApplication("v2", "exit 0"), "0.2.0", securityVersion: 2, entry: "start.sh");
        // Under a bootloader that does not write rollbacks (image slots): the daemon finds the spent trial itself.
        await using var device = await SlottedCamera.StartAsync(repo, dir, time, configure: b => b.Services.AddSingleton<IRestartRequester>(restart),
            firstCheckDelay: TimeSpan.FromMinutes(5), prepareSlots: slots => SpendTrial(slots, "0.2.0"));
        var scheduler = device.Camera.App.Services.GetRequiredService<UpdateScheduler>();

        var status = await AdvanceUntilScheduledCheckAsync(device, time, TimeSpan.FromMinutes(5));

        Assert.Contains("the new version did not start successfully 3 times", status.LastRollback!.Message, StringComparison.Ordinal);
        Assert.Contains("update-rolled-back", await device.Admin.Http.GetStringAsync(new Uri("/api/security/alerts", UriKind.Relative)), StringComparison.Ordinal);
        Assert.Contains("installed only when an administrator asks", status.LastCheck!.Message, StringComparison.Ordinal);
        Assert.True(scheduler.WaitForInstallAsync().IsCompleted);
        Assert.False(restart.Requested.Task.IsCompleted);
        Assert.Equal(0, device.Slots.Load()!.B.Priority);

        var manual = await device.CheckAndInstallAsync();

        Assert.Equal(UpdateCode.Ok, manual.Result);
        Assert.True(restart.Requested.Task.IsCompleted);
        Assert.Equal(("0.2.0", BootDecisions.NewSlotPriority), (device.Slots.Load()!.B.Version, device.Slots.Load()!.B.Priority));
    }

    [Fact]
    public async Task AfterARollback_ANewerVersion_IsInstalledAutomatically()
    {
        await using var repo = new UpdateTestRepository();
        await repo.StartServerAsync();
        using var dir = new TempDirectory();
        var time = new TimerAwareTimeProvider(DateTimeOffset.UtcNow);
        var restart = new RecordingRestart();
        await repo.PublishAsync(repo.ScriptApplication("v2", "exit 0"), "0.2.0", securityVersion: 2, entry: "start.sh");
        await repo.PublishAsync(repo.ScriptApplication("v3", "exit 0"), "0.3.0", securityVersion: 2, entry: "start.sh");
        await using var device = await SlottedCamera.StartAsync(repo, dir, time, configure: b => b.Services.AddSingleton<IRestartRequester>(restart),
            firstCheckDelay: TimeSpan.FromMinutes(5), prepareSlots: slots => SpendTrial(slots, "0.2.0"));

        await time.AdvanceWhenSetAsync(TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(60));
        await restart.Requested.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await device.Camera.App.Services.GetRequiredService<UpdateScheduler>().WaitForInstallAsync();

        Assert.Equal(("0.3.0", BootDecisions.NewSlotPriority), (device.Slots.Load()!.B.Version, device.Slots.Load()!.B.Priority));
    }

    /// <summary>Slot b got <paramref name="version"/> with three tries, and three boots of it were cut by power loss.</summary>
    private static void SpendTrial(SlotRecordStore slots, string version)
    {
        var record = BootDecisions.CompleteInstall(slots.Load()!, "b", new SlotState(version, 2, null, "start.sh", 0, 0, false), 3, DateTimeOffset.UtcNow.AddHours(-1));
        for (var cut = 0; cut < 3; cut++)
        {
            record = BootDecisions.BeginAttempt(record, BootDecisions.Choose(record)!);
        }

        slots.Save(record);
    }

    private static void WriteScript(string directory, string script)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "start.sh");
        File.WriteAllText(path, "#!/bin/sh\n" + script + "\n");
        File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute);
    }

    /// <summary>Polls until the scheduled check has run and the scheduler has moved on to the next one.</summary>
    private static async Task<UpdateStatusView> WaitForScheduledCheckAsync(SignedInClient owner, DateTimeOffset? after = null)
    {
        for (var i = 0; i < 600; i++)
        {
            var status = (await owner.Http.GetFromJsonAsync<UpdateStatusView>(new Uri("/api/updates", UriKind.Relative), UpdateRefusalTests.Json))!;
            if (status.LastCheck is { } check && check.At > after.GetValueOrDefault() && status.NextCheck > check.At)
            {
                return status;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("the scheduled check did not run");
    }

    /// <summary>Fires the scheduler's next check once it has set its timer, then waits until that check has run.</summary>
    private static async Task<UpdateStatusView> AdvanceUntilScheduledCheckAsync(SlottedCamera device, TimerAwareTimeProvider time, TimeSpan step)
    {
        await time.AdvanceWhenSetAsync(step, TimeSpan.FromSeconds(60));
        using var admin = await device.Camera.SignInAsync("admin", InProcessCamera.OwnerPassword);
        return await WaitForScheduledCheckAsync(admin);
    }

    private sealed class RecordingRestart : IRestartRequester
    {
        public TaskCompletionSource Requested { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void RequestRestart() => Requested.TrySetResult();
    }
}
