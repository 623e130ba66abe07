using System.Net;
using System.Net.Http.Json;
using Iris.Camera.Platform;
using Iris.Camera.Hosting;
using Iris.Camera.Identity;
using Iris.Camera.Tests.Support;
using Iris.Camera.Updates;
using Iris.Firmware.Durable;
using Iris.Firmware.Metadata;
using Iris.Firmware.Slots;

namespace Iris.Camera.Tests.Updates;

/// <summary>
/// The whole update path with real processes (IoT-1005-1 5.3.1.1-5.3.1.4): Iris.Boot runs the camera from slot
/// a; the camera fetches a signed, encrypted release over HTTPS, installs it into slot b, restarts into it,
/// proves itself healthy and stays there across restarts. Broken releases are rolled back automatically and
/// the status says why.
/// </summary>
[Collection(UpdateProcesses.Name)]
public sealed class UpdateEndToEndTests
{
    [Fact]
    public async Task Update_Installs_SwitchesSlots_SurvivesARestart_AndShowsInTheStatus()
    {
        await using var repo = new UpdateTestRepository();
        await repo.StartServerAsync();
        using var dir = new TempDirectory();
        // The factory provisions slot a with Iris.Boot init, from the published camera application.
        var factoryBuild = repo.Scratch("camera-0.1.0");
        CameraApplication.Copy(CameraApplication.SlotApplication, factoryBuild);
        var boot = dir.Combine("boot");
        using (var init = ChildProcess.Start("Iris.Boot", ["init", "--boot-dir", boot, "--from", factoryBuild, "--entry", CameraApplication.SlotEntry,
            "--version", "0.1.0", "--security-version", "1", "--support-end", "2031-12-31"]))
        {
            Assert.Equal(0, await init.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        }

        var nextBuild = repo.Scratch("camera-0.2.0");
        CameraApplication.Copy(CameraApplication.SlotApplication, nextBuild);
        await repo.PublishAsync(nextBuild, "0.2.0", securityVersion: 2, entry: CameraApplication.SlotEntry);
        var settings = repo.CameraSettings();

        using (var device = await BootedCamera.StartAsync(boot, dir.Combine("data"), settings))
        {
            using var admin = await CameraSessions.ClaimAsync(device.BaseAddress, device.Certificate, device.DefaultPassword!, InProcessCamera.OwnerPassword);
            Assert.False(File.Exists(settings["Iris:Updates:UpdateKeyFile"]), "the provisioned update key file is sealed into the vault and removed");

            using var check = await admin.Http.PostAsync(new Uri("/api/updates/check", UriKind.Relative), null);
            var offered = (await check.Content.ReadFromJsonAsync<UpdateStatusView>(UpdateRefusalTests.Json))!;
            Assert.Equal("0.2.0", offered.Available?.Version);
            Assert.Equal("0.1.0", offered.InstalledVersion);
            Assert.Equal("a", offered.Slot);

            using var install = await admin.Http.PostAsync(new Uri("/api/updates/install", UriKind.Relative), null);
            Assert.Equal(HttpStatusCode.Accepted, install.StatusCode);
            await device.WaitForOutputAsync("Iris.Boot: slot b reported healthy", seconds: 180);
            await device.WaitForListeningAsync(2);

            using var after = await device.SignInAsync();
            var info = await after.Http.GetFromJsonAsync<DeviceInfo>(new Uri("/api/device", UriKind.Relative), UpdateRefusalTests.Json);
            var status = (await after.Http.GetFromJsonAsync<UpdateStatusView>(new Uri("/api/updates", UriKind.Relative), UpdateRefusalTests.Json))!;
            Assert.Equal("0.2.0", info!.SoftwareVersion);
            Assert.Equal(new DateOnly(2032, 6, 30), info.SecurityUpdatesUntil);
            Assert.Equal(("0.2.0", "b"), (status.InstalledVersion, status.Slot));
            Assert.Equal(UpdateCode.Ok, status.LastInstall?.Result);
            Assert.Null(status.LastRollback);
            var record = new SlotRecordStore(DiskFileSystem.Instance, boot).Load()!;
            Assert.True(record.B.Successful);
            Assert.Equal(2, record.SecurityCounter);
            Assert.Empty(Directory.GetFiles(Path.Combine(dir.Combine("data"), "updates", "download")));
        }

        // A restart (power cycle of the launcher) comes back on the new slot.
        using (var restarted = await BootedCamera.StartAsync(boot, dir.Combine("data"), settings))
        {
            Assert.Contains("starting slot b (version 0.2.0)", restarted.Process.StandardOutput, StringComparison.Ordinal);
            using var admin = await restarted.SignInAsync();
            var info = await admin.Http.GetFromJsonAsync<DeviceInfo>(new Uri("/api/device", UriKind.Relative), UpdateRefusalTests.Json);
            Assert.Equal("0.2.0", info!.SoftwareVersion);
        }
    }

    [Fact]
    public async Task ReleaseThatCrashesAtStart_IsRolledBack_AndTheStatusSaysWhy()
    {
        var (status, alerts, record, output) = await InstallBrokenReleaseAsync("exit 3", bootTries: 2, healthTimeoutSeconds: 60);

        Assert.Equal(("0.1.0", "a"), (status.InstalledVersion, status.Slot));
        Assert.Contains("version 0.2.0 on slot b was rolled back", status.LastRollback!.Message, StringComparison.Ordinal);
        Assert.Contains("exited with code 3 before reporting healthy", status.LastRollback.Message, StringComparison.Ordinal);
        Assert.Contains("update-rolled-back", alerts, StringComparison.Ordinal);
        Assert.Equal(0, record.B.Priority);
        Assert.Equal(1, record.SecurityCounter);
        Assert.Equal(2, output.Split('\n').Count(l => l.Contains("starting slot b", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ReleaseThatNeverReportsHealthy_IsRolledBack_AndTheStatusSaysWhy()
    {
        var (status, _, record, _) = await InstallBrokenReleaseAsync("exec sleep 600", bootTries: 1, healthTimeoutSeconds: 4);

        Assert.Equal(("0.1.0", "a"), (status.InstalledVersion, status.Slot));
        Assert.Contains("did not report healthy within 4 s", status.LastRollback!.Message, StringComparison.Ordinal);
        Assert.Equal(1, record.SecurityCounter);
    }

    private static async Task<(UpdateStatusView Status, string Alerts, SlotRecord Record, string Output)> InstallBrokenReleaseAsync(
        string script, int bootTries, int healthTimeoutSeconds)
    {
        await using var repo = new UpdateTestRepository();
        await repo.StartServerAsync();
        using var dir = new TempDirectory();
        var boot = UpdateTestRepository.ProvisionSlots(dir.Combine("boot"), CameraApplication.SlotApplication, CameraApplication.SlotEntry);
        await repo.PublishAsync(repo.ScriptApplication("broken", script), "0.2.0", securityVersion: 2, entry: "start.sh");
        var settings = repo.CameraSettings();
        settings["Iris:Updates:BootTries"] = bootTries.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var device = await BootedCamera.StartAsync(boot, dir.Combine("data"), settings, healthTimeoutSeconds);
        using (var admin = await CameraSessions.ClaimAsync(device.BaseAddress, device.Certificate, device.DefaultPassword!, InProcessCamera.OwnerPassword))
        {
            using var check = await admin.Http.PostAsync(new Uri("/api/updates/check", UriKind.Relative), null);
            using var install = await admin.Http.PostAsync(new Uri("/api/updates/install", UriKind.Relative), null);
            Assert.Equal(HttpStatusCode.Accepted, install.StatusCode);
        }

        // The old slot comes back: its daemon announces itself a second time.
        await device.WaitForListeningAsync(2, seconds: 120 + (bootTries * healthTimeoutSeconds));
        using var after = await device.SignInAsync();
        var status = (await after.Http.GetFromJsonAsync<UpdateStatusView>(new Uri("/api/updates", UriKind.Relative), UpdateRefusalTests.Json))!;
        var alerts = await after.Http.GetStringAsync(new Uri("/api/security/alerts", UriKind.Relative));
        return (status, alerts, new SlotRecordStore(DiskFileSystem.Instance, boot).Load()!, device.Process.StandardOutput + device.Process.StandardError);
    }
}

/// <summary>The launcher on its own: what it does when it has nothing it may boot.</summary>
public sealed class SlotLauncherTests
{
    [Fact]
    public async Task DestroyedSlotRecord_StopsTheLauncher_WithAClearMessage()
    {
        using var dir = new TempDirectory();
        var app = dir.Combine("app");
        Directory.CreateDirectory(app);
        await File.WriteAllTextAsync(Path.Combine(app, "start.sh"), "#!/bin/sh\nexit 0\n");
        var boot = UpdateTestRepository.ProvisionSlots(dir.Combine("boot"), app, "start.sh");
        await File.WriteAllTextAsync(Path.Combine(boot, "slot-record.0"), "damaged");
        await File.WriteAllTextAsync(Path.Combine(boot, "slot-record.1"), "damaged");

        using var launcher = ChildProcess.Start("Iris.Boot", ["run", "--boot-dir", boot]);

        Assert.Equal(70, await launcher.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("no valid slot record", launcher.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_RefusesToOverwriteAProvisionedDevice()
    {
        using var dir = new TempDirectory();
        var app = dir.Combine("app");
        Directory.CreateDirectory(app);
        await File.WriteAllTextAsync(Path.Combine(app, "start.sh"), "#!/bin/sh\nexit 0\n");
        var boot = UpdateTestRepository.ProvisionSlots(dir.Combine("boot"), app, "start.sh");
        var before = new SlotRecordStore(DiskFileSystem.Instance, boot).Load();

        using var init = ChildProcess.Start("Iris.Boot", ["init", "--boot-dir", boot, "--from", app, "--entry", "start.sh", "--version", "9.9.9"]);

        Assert.Equal(64, await init.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("refusing to overwrite", init.StandardError, StringComparison.Ordinal);
        Assert.Equal(before, new SlotRecordStore(DiskFileSystem.Instance, boot).Load());
    }
}

/// <summary>Tests that run the whole device as processes share the two cores one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class UpdateProcesses
{
    public const string Name = "update processes";
}
