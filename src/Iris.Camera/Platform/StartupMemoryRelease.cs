namespace Iris.Camera.Platform;

/// <summary>
/// Gives the memory that starting the daemon used back to the kernel, once, shortly after it serves. Binding
/// settings, building the services, migrating and checking the database and loading the identity leave megabytes of
/// garbage in the youngest generation; an idle camera allocates too little to trigger a collection for a long time,
/// so the GC would keep those pages resident. One aggressive collection (compacting, decommitting free regions) on
/// a heap of ~2 MB takes milliseconds and lowered idle RSS by ~3 MiB (docs/benchmarks.md, issue 18).
/// </summary>
internal sealed class StartupMemoryRelease(IHostApplicationLifetime lifetime, TimeProvider time, Action release) : BackgroundService
{
    /// <summary>Long enough for the hosted services' first rounds (session purge, retention) to have run.</summary>
    public static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(2);

    public StartupMemoryRelease(IHostApplicationLifetime lifetime, TimeProvider time)
        : this(lifetime, time, Release)
    {
    }

    /// <summary>A full blocking, compacting collection that also returns the freed regions to the kernel.</summary>
    public static void Release() => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            await started.Task.ConfigureAwait(false);
        }

        await Task.Delay(SettleTime, time, stoppingToken).ConfigureAwait(false);
        release();
    }
}
