using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Iris.Camera.Platform;
using Iris.Camera.Tests.Support;
using Iris.Camera.Updates;
using Iris.Firmware.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Iris.Camera.Tests.Updates;

/// <summary>
/// The slow-retrieval defence (TUF) through the daemon's API against a real HTTPS repository that stalls or
/// drips a bundle: the download is given up after the read timeout or below the minimum rate and resumes later;
/// checks and the status keep answering while the install runs; stopping the daemon cancels the install. The
/// daemon's clock is a fake one the tests move, so no test waits out a real timeout.
/// </summary>
public sealed class SlowRetrievalTests
{
    private const int Burst = 1 << 20;

    [Fact]
    public async Task StalledDownload_IsGivenUpAfterTheReadTimeout_ChecksAndStatusAnswerMeanwhile_AndItResumesLater()
    {
        await using var repo = new UpdateTestRepository();
        await repo.StartServerAsync();
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await PublishLargeReleaseAsync(repo);
        repo.Pacing = new TargetPacing(Burst);
        await using var device = await SlottedCamera.StartAsync(repo, dir, time);
        var scheduler = device.Camera.App.Services.GetRequiredService<UpdateScheduler>();
        await StartInstallAsync(device);

        await WaitUntilDownloadedAsync(device, repo.Pacing, Burst);
        using (var admin = await device.Camera.SignInAsync("admin", InProcessCamera.OwnerPassword))
        {
            // The install holds no lock a check needs: "check now" answers while the download hangs.
            using var check = await admin.Http.PostAsync(new Uri("/api/updates/check", UriKind.Relative), null).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(HttpStatusCode.OK, check.StatusCode);
            var checkedStatus = (await check.Content.ReadFromJsonAsync<UpdateStatusView>(UpdateRefusalTests.Json))!;
            Assert.Equal("downloading", checkedStatus.Progress.Phase);
            Assert.Equal("version 0.2.0 is available", checkedStatus.LastCheck!.Message);
        }

        await AdvanceUntilInstallEndsAsync(scheduler, time, TimeSpan.FromSeconds(30));

        var status = await FreshStatusAsync(device);
        Assert.Equal(UpdateCode.Unreachable, status.LastInstall!.Result);
        Assert.Contains("stalled: no data for 30 s (slow-retrieval defence)", status.LastInstall.Message, StringComparison.Ordinal);
        Assert.Equal("idle", status.Progress.Phase);
        Assert.Equal("", device.Slots.Load()!.B.Version);
        Assert.Equal(Burst, new FileInfo(Assert.Single(Directory.GetFiles(Path.Combine(device.Camera.DataDirectory, "updates", "download")))).Length);

        // The agent is free again: the next install resumes where the stalled one stopped, and completes.
        repo.Pacing = null;
        var result = await device.CheckAndInstallAsync();
        Assert.Equal(UpdateCode.Ok, result.Result);
        Assert.Contains(repo.Requests, r => r.EndsWith($"bytes={Burst}-", StringComparison.Ordinal));
        Assert.Equal("0.2.0", device.Slots.Load()!.B.Version);
    }

    [Fact]
    public async Task DripFedDownload_BelowTheMinimumRate_IsGivenUp()
    {
        await using var repo = new UpdateTestRepository();
        await repo.StartServerAsync();
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await PublishLargeReleaseAsync(repo);
        repo.Pacing = new TargetPacing(16 * 1024, DripBytes: 512, DripEvery: TimeSpan.FromMilliseconds(20));
        // The read timeout is set far out, so only the rate can end this download.
        await using var device = await SlottedCamera.StartAsync(repo, dir, time, configure: b => b.Configuration.AddInMemoryCollection(
            new Dictionary<string, string?> { ["Iris:Updates:DownloadReadTimeout"] = "00:10:00" }));
        var scheduler = device.Camera.App.Services.GetRequiredService<UpdateScheduler>();
        await StartInstallAsync(device);
        await WaitUntilDownloadedAsync(device, repo.Pacing, 16 * 1024);

        await AdvanceUntilInstallEndsAsync(scheduler, time, TimeSpan.FromSeconds(5));

        var status = await FreshStatusAsync(device);
        Assert.Equal(UpdateCode.Unreachable, status.LastInstall!.Result);
        Assert.Contains("below the 4096 bytes/s required (slow-retrieval defence)", status.LastInstall.Message, StringComparison.Ordinal);
        Assert.Equal("", device.Slots.Load()!.B.Version);
    }

    [Fact]
    public async Task StoppingTheDaemon_CancelsAStalledInstall_AtOnce()
    {
        await using var repo = new UpdateTestRepository();
        await repo.StartServerAsync();
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await PublishLargeReleaseAsync(repo);
        repo.Pacing = new TargetPacing(Burst);
        await using var device = await SlottedCamera.StartAsync(repo, dir, time);
        var scheduler = device.Camera.App.Services.GetRequiredService<UpdateScheduler>();
        await StartInstallAsync(device);
        await WaitUntilDownloadedAsync(device, repo.Pacing, Burst);

        // Well inside the host's 30 s shutdown timeout: the install is cancelled, not waited out.
        await device.Camera.App.StopAsync().WaitAsync(TimeSpan.FromSeconds(20));

        Assert.True(scheduler.WaitForInstallAsync().IsCompletedSuccessfully);
        var status = device.Camera.App.Services.GetRequiredService<UpdateStatusStore>().Snapshot();
        Assert.Equal(UpdateCode.InstallFailed, status.LastInstall!.Result);
        Assert.Contains("stopped because the daemon shut down", status.LastInstall.Message, StringComparison.Ordinal);
        Assert.Equal(Burst, new FileInfo(Assert.Single(Directory.GetFiles(Path.Combine(device.Camera.DataDirectory, "updates", "download")))).Length);
    }

    [Theory]
    [InlineData("DownloadReadTimeout", "00:00:00.500", "DownloadReadTimeout must be between 1 second and 10 minutes")]
    [InlineData("DownloadReadTimeout", "01:00:00", "DownloadReadTimeout must be between 1 second and 10 minutes")]
    [InlineData("DownloadMinimumBytesPerSecond", "0", "DownloadMinimumBytesPerSecond must be between 64 and 104857600")]
    public async Task SlowRetrievalLimits_OutOfRange_StopTheDaemonWithTheProblem(string setting, string value, string problem)
    {
        using var dir = new TempDirectory();

        var refused = await Assert.ThrowsAsync<Iris.Camera.Platform.StartupException>(() => InProcessCamera.StartAsync(dir.Path,
            b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [$"Iris:Updates:{setting}"] = value })));

        Assert.Contains(problem, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SlowRetrievalLimits_HaveDefaultsThatPassValidation()
    {
        var options = new UpdateOptions();

        Assert.Empty(options.Validate());
        Assert.Equal(new SlowRetrievalLimits(TimeSpan.FromSeconds(30), 4096), options.SlowRetrieval);
    }

    /// <summary>0.2.0 with a few MiB in it, so a burst of 1 MiB is well short of the whole bundle.</summary>
    private static async Task PublishLargeReleaseAsync(UpdateTestRepository repo)
    {
        var source = repo.ScriptApplication("v2", "exit 0");
        await File.WriteAllBytesAsync(Path.Combine(source, "big.bin"), RandomNumberGenerator.GetBytes(3 << 20));
        await repo.PublishAsync(source, "0.2.0", securityVersion: 2, entry: "start.sh");
    }

    private static async Task StartInstallAsync(SlottedCamera device)
    {
        using var check = await device.Admin.Http.PostAsync(new Uri("/api/updates/check", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, check.StatusCode);
        using var install = await device.Admin.Http.PostAsync(new Uri("/api/updates/install", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Accepted, install.StatusCode);
    }

    /// <summary>Waits (polling the status page, which must answer during the install) until the burst has been written.</summary>
    private static async Task WaitUntilDownloadedAsync(SlottedCamera device, TargetPacing pacing, long bytes)
    {
        await pacing.BurstSent.Task.WaitAsync(TimeSpan.FromSeconds(60));
        for (var i = 0; i < 600; i++)
        {
            var progress = (await device.StatusAsync().WaitAsync(TimeSpan.FromSeconds(10))).Progress;
            if (progress.Phase == "downloading" && progress.Done >= bytes)
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("the burst never reached the download file");
    }

    /// <summary>Moves the daemon's clock a step at a time until the install gives up (the transfer's timers run on it).</summary>
    private static async Task AdvanceUntilInstallEndsAsync(UpdateScheduler scheduler, FakeTimeProvider time, TimeSpan step)
    {
        var install = scheduler.WaitForInstallAsync();
        for (var i = 0; i < 400 && !install.IsCompleted; i++)
        {
            time.Advance(step);
            await Task.WhenAny(install, Task.Delay(50));
        }

        Assert.True(install.IsCompleted, "the install did not give up");
        await install;
    }

    private static async Task<UpdateStatusView> FreshStatusAsync(SlottedCamera device)
    {
        // The session may have outlived the clock the test moved forward; sign in afresh.
        using var admin = await device.Camera.SignInAsync("admin", InProcessCamera.OwnerPassword);
        return await device.StatusAsync(admin);
    }
}
