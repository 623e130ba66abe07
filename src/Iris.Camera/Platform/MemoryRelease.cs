namespace Iris.Camera.Platform;

/// <summary>
/// Gives memory the daemon no longer uses back to the kernel: once shortly after it serves, and again after a burst.
/// Binding settings, building the services, migrating and checking the database and loading the identity leave
/// megabytes of garbage in the youngest generation; an idle camera allocates too little to trigger a collection
/// for a long time, so the GC would keep those pages resident. A burst (a sign-in flood from thousands of addresses,
/// thousands of TLS handshakes) leaves the same behind, in the GC's regions and in malloc's arenas (OpenSSL):
/// after a 20 s flood the AOT daemon stayed at twice its idle RSS (53 to 102 MiB; outside review of issue 18, F6).
/// So once a minute, if the resident set has grown by <see cref="Growth"/> since the last release, it releases
/// again: one aggressive collection (compacting, decommitting free regions) and a trim of malloc's arenas, which
/// on a heap of a few MB takes milliseconds. A release that gives nothing back moves the mark up, so a daemon
/// that simply needs more memory is not collected every minute.
/// </summary>
internal sealed class MemoryRelease(IHostApplicationLifetime lifetime, TimeProvider time, Action release, Func<long> residentBytes) : BackgroundService
{
    /// <summary>Long enough for the hosted services' first rounds (session purge, retention) to have run.</summary>
    public static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(2);

    public static readonly TimeSpan CheckInterval = TimeSpan.FromMinutes(1);

    /// <summary>Growth of the resident set since the last release that is worth a release.</summary>
    public const long Growth = 8L << 20;

    public MemoryRelease(IHostApplicationLifetime lifetime, TimeProvider time)
        : this(lifetime, time, Release, () => Environment.WorkingSet)
    {
    }

    /// <summary>A full blocking, compacting collection that also returns the freed regions, then malloc's free pages, to the kernel.</summary>
    public static void Release()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        NativeMethods.TrimMallocArenas();
    }

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
        var mark = residentBytes();
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(CheckInterval, time, stoppingToken).ConfigureAwait(false);
            if (residentBytes() - mark >= Growth)
            {
                release();
                mark = residentBytes();
            }
        }
    }
}
