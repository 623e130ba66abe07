using Iris.Camera.Platform;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Iris.Camera.Tests.Platform;

/// <summary>
/// Issue 18 (memory): the start-up garbage is collected and given back once, after the daemon serves and its
/// hosted services have had their first round, not while it is still being built; and what a burst leaves is given
/// back at the next check, without collecting every minute when nothing comes back.
/// </summary>
public sealed class MemoryReleaseTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Release_RunsOnce_OnlyAfterTheAppStarted_AndTheSettleTimePassed()
    {
        using var time = new ObservedTime();
        using var lifetime = new FakeLifetime();
        var released = 0;
        using var releasedOnce = new SemaphoreSlim(0);
        using var service = new MemoryRelease(lifetime, time, () =>
        {
            Interlocked.Increment(ref released);
            releasedOnce.Release();
        }, () => 50L << 20);

        await service.StartAsync(CancellationToken.None);
        time.Advance(MemoryRelease.SettleTime * 10);
        Assert.False(await releasedOnce.WaitAsync(TimeSpan.FromMilliseconds(200)), "released before the app started");

        lifetime.Started();
        Assert.True(await time.TimerCreated.WaitAsync(Patience), "the settle delay never started");
        time.Advance(MemoryRelease.SettleTime - TimeSpan.FromMilliseconds(1));
        Assert.False(await releasedOnce.WaitAsync(TimeSpan.FromMilliseconds(200)), "released before the settle time passed");

        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(await releasedOnce.WaitAsync(Patience), "not released after the settle time");
        time.Advance(MemoryRelease.SettleTime * 10);
        await service.StopAsync(CancellationToken.None);
        Assert.Equal(1, Volatile.Read(ref released));
    }

    [Fact]
    public async Task AfterABurst_TheGrowthIsGivenBackAtTheNextCheck_AndAReleaseThatGivesNothingBackIsNotRepeated()
    {
        const long MiB = 1L << 20;
        using var time = new ObservedTime();
        using var lifetime = new FakeLifetime();
        long resident = 50 * MiB;
        long afterRelease = 50 * MiB;
        var released = 0;
        using var service = new MemoryRelease(lifetime, time, () =>
        {
            Interlocked.Increment(ref released);
            Interlocked.Exchange(ref resident, Interlocked.Read(ref afterRelease));
        }, () => Interlocked.Read(ref resident));

        await service.StartAsync(CancellationToken.None);
        lifetime.Started();
        Assert.True(await time.TimerCreated.WaitAsync(Patience), "the settle delay never started");

        // Each step ends when the service has made its check and started its next wait.
        async Task AdvanceAsync(TimeSpan step)
        {
            time.Advance(step);
            Assert.True(await time.TimerCreated.WaitAsync(Patience), "the service's next wait never started");
        }

        await AdvanceAsync(MemoryRelease.SettleTime);
        await AdvanceAsync(MemoryRelease.CheckInterval);   // a quiet minute
        Assert.Equal(1, Volatile.Read(ref released));

        // A flood: 50 MiB more, of which the release gives back all but 5.
        Interlocked.Exchange(ref resident, 100 * MiB);
        Interlocked.Exchange(ref afterRelease, 55 * MiB);
        await AdvanceAsync(MemoryRelease.CheckInterval);
        await AdvanceAsync(MemoryRelease.CheckInterval);   // near the new mark: nothing to do
        Assert.Equal(2, Volatile.Read(ref released));

        // Growth a release cannot give back (the daemon needs it): released once, then the mark moves up.
        Interlocked.Exchange(ref resident, 70 * MiB);
        Interlocked.Exchange(ref afterRelease, 70 * MiB);
        await AdvanceAsync(MemoryRelease.CheckInterval);
        await AdvanceAsync(MemoryRelease.CheckInterval);
        await AdvanceAsync(MemoryRelease.CheckInterval);
        await service.StopAsync(CancellationToken.None);
        Assert.Equal(3, Volatile.Read(ref released));
    }

    [Fact]
    public async Task StoppingBeforeTheAppStarted_EndsWithoutReleasing()
    {
        var time = new FakeTimeProvider();
        using var lifetime = new FakeLifetime();
        var released = 0;
        using var service = new MemoryRelease(lifetime, time, () => Interlocked.Increment(ref released), () => 50L << 20);

        await service.StartAsync(CancellationToken.None);
        await service.StopAsync(CancellationToken.None).WaitAsync(Patience);

        Assert.Equal(0, Volatile.Read(ref released));
    }

    [Fact]
    public void Release_IsAFullCompactingCollection()
    {
        var before = GC.CollectionCount(GC.MaxGeneration);

        MemoryRelease.Release();

        Assert.True(GC.CollectionCount(GC.MaxGeneration) > before);
        var last = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        Assert.Equal(GC.MaxGeneration, last.Generation);
        Assert.True(last.Compacted);
    }

    // The settle delay's timer is created on a continuation after ApplicationStarted; advancing the clock before
    // it exists would skip nothing, so the test waits for it.
    private sealed class ObservedTime : FakeTimeProvider, IDisposable
    {
        public SemaphoreSlim TimerCreated { get; } = new(0);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            TimerCreated.Release();
            return timer;
        }

        public void Dispose() => TimerCreated.Dispose();
    }

    private sealed class FakeLifetime : IHostApplicationLifetime, IDisposable
    {
        private readonly CancellationTokenSource _started = new();
        private readonly CancellationTokenSource _stopping = new();
        private readonly CancellationTokenSource _stopped = new();

        public CancellationToken ApplicationStarted => _started.Token;

        public CancellationToken ApplicationStopping => _stopping.Token;

        public CancellationToken ApplicationStopped => _stopped.Token;

        public void Started() => _started.Cancel();

        public void StopApplication() => _stopping.Cancel();

        public void Dispose()
        {
            _started.Dispose();
            _stopping.Dispose();
            _stopped.Dispose();
        }
    }
}
