using System.Net.Http.Json;
using Iris.Camera.Platform;
using Iris.Camera.Tests.Support;
using Iris.Camera.Updates;
using Iris.Firmware.Metadata;
using Iris.Firmware.Repository;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Iris.Camera.Tests.Updates;

/// <summary>
/// The agent's schedule and transport details (IoT-1005-1 5.3.1.3): the periodic check installs by itself in
/// automatic mode and not in manual mode, stale metadata shows as a warning, and a broken download resumes
/// where it stopped.
/// </summary>
public sealed class UpdateAgentTests
{
    private static readonly TimeSpan TimerDeadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task PeriodicCheck_InAutomaticMode_InstallsAndAsksForARestart_OnItsOwn()
    {
        await using var repo = new UpdateTestRepository();
        using var dir = new TempDirectory();
        var time = new TimerAwareTimeProvider(DateTimeOffset.UtcNow);
        var restart = new RecordingRestart();
        await using var device = await StartWithReleaseAsync(repo, dir, time, restart);
        var scheduler = device.Camera.App.Services.GetRequiredService<UpdateScheduler>();

        await time.AdvanceWhenSetAsync(TimeSpan.FromMinutes(5), TimerDeadline);
        await restart.Requested.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await scheduler.WaitForInstallAsync();

        var record = device.Slots.Load()!;
        Assert.Equal("0.2.0", record.B.Version);
        Assert.Equal(Iris.Firmware.Slots.BootDecisions.NewSlotPriority, record.B.Priority);
        Assert.False(record.B.Successful);
        Assert.Equal(UpdateCode.Ok, (await device.StatusAsync()).LastInstall?.Result);
    }

    [Fact]
    public async Task PeriodicCheck_InManualMode_OnlyReports_AndChecksAgainAfterTheInterval()
    {
        await using var repo = new UpdateTestRepository();
        using var dir = new TempDirectory();
        var time = new TimerAwareTimeProvider(DateTimeOffset.UtcNow);
        var restart = new RecordingRestart();
        await using var device = await StartWithReleaseAsync(repo, dir, time, restart);
        using (var response = await device.Admin.Http.PutAsJsonAsync(new Uri("/api/updates/settings", UriKind.Relative), new { mode = "manual" }))
        {
            response.EnsureSuccessStatusCode();
        }

        var first = await AdvanceUntilCheckedAsync(device, time, TimeSpan.FromMinutes(5), after: null);
        Assert.Equal("0.2.0", (await device.StatusAsync()).Available?.Version);
        var second = await AdvanceUntilCheckedAsync(device, time, TimeSpan.FromDays(1), after: first);

        Assert.True(second - first >= TimeSpan.FromDays(1));
        Assert.False(restart.Requested.Task.IsCompleted);
        Assert.Equal("", device.Slots.Load()!.B.Version);
    }

    [Fact]
    public async Task ExpiredMetadata_ShowsAsStale_InTheStatus()
    {
        await using var repo = new UpdateTestRepository();
        await repo.StartServerAsync();
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var device = await SlottedCamera.StartAsync(repo, dir, time);
        await device.CheckAndInstallAsync();
        Assert.False((await device.StatusAsync()).MetadataStale);

        time.Advance(RoleLifetimes.Default.Timestamp + TimeSpan.FromMinutes(1));
        using var admin = await device.Camera.SignInAsync("admin", InProcessCamera.OwnerPassword);
        var status = await device.StatusAsync(admin);

        Assert.True(status.MetadataStale);
        Assert.True(status.MetadataExpires <= time.GetUtcNow());
    }

    [Fact]
    public async Task InterruptedDownload_ResumesWithARangeRequest()
    {
        await using var repo = new UpdateTestRepository();
        await repo.StartServerAsync();
        var source = repo.ScriptApplication("v2", "exit 0");
        var target = await repo.PublishAsync(source, "0.2.0", entry: "start.sh", chunkSize: 4096);
        var full = await File.ReadAllBytesAsync(repo.ServedPath(target));
        var destination = Path.Combine(repo.Scratch("download"), "bundle.irfw");
        await File.WriteAllBytesAsync(destination, full[..(full.Length / 3)]);

        using var transport = new HttpsUpdateTransport(repo.BaseAddress!, [repo.Ca], TimeProvider.System);
        var outcome = await transport.DownloadAsync(RepositoryClient.TargetPath(target), destination, target.Length, null, CancellationToken.None);

        Assert.True(outcome.Succeeded, outcome.Message);
        Assert.Equal(full, await File.ReadAllBytesAsync(destination));
        Assert.Contains($"/{RepositoryClient.TargetPath(target)} bytes={full.Length / 3}-", repo.Requests);
    }

    /// <summary>A repository offering 0.2.0, and a slotted camera on slot a whose first scheduled check is 5 minutes away.</summary>
    private static async Task<SlottedCamera> StartWithReleaseAsync(UpdateTestRepository repo, TempDirectory dir, FakeTimeProvider time, RecordingRestart restart)
    {
        await repo.StartServerAsync();
        await repo.PublishAsync(repo.ScriptApplication("v2", "exit 0"), "0.2.0", securityVersion: 2, entry: "start.sh");
        return await SlottedCamera.StartAsync(repo, dir, time, configure: b => b.Services.AddSingleton<IRestartRequester>(restart),
            firstCheckDelay: TimeSpan.FromMinutes(5));
    }

    /// <summary>Fires the scheduler's next check once it has set its timer, then waits until that check has run.</summary>
    private static async Task<DateTimeOffset> AdvanceUntilCheckedAsync(SlottedCamera device, TimerAwareTimeProvider time, TimeSpan step, DateTimeOffset? after)
    {
        await time.AdvanceWhenSetAsync(step, TimerDeadline);
        for (var i = 0; i < 600; i++)
        {
            using var admin = await device.Camera.SignInAsync("admin", InProcessCamera.OwnerPassword);
            if ((await device.StatusAsync(admin)).LastCheck is { } check && (after is null || check.At > after))
            {
                return check.At;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("the scheduled check did not run");
    }

    private sealed class RecordingRestart : IRestartRequester
    {
        public TaskCompletionSource Requested { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void RequestRestart() => Requested.TrySetResult();
    }
}
