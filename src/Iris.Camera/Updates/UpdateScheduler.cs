using Iris.Firmware.Metadata;

namespace Iris.Camera.Updates;

/// <summary>How a request to install went.</summary>
public enum InstallStart
{
    Started,
    NotSlotted,
    NothingAvailable,
    Busy,
}

/// <summary>
/// Decides when to check and when to install: a check on a schedule (first <see cref="UpdateOptions.FirstCheckDelay"/>
/// after start, then every <see cref="UpdateOptions.CheckInterval"/>) and when an administrator asks; an install
/// after a scheduled check in automatic mode (never of a version this device rolled back), or when an
/// administrator asks. One check and one install run at a time, independently: a check, and the status, answer
/// while an install runs. Stopping the daemon cancels a running install and waits for it to end.
/// </summary>
internal sealed class UpdateScheduler(
    UpdateOptions options,
    UpdateChecker checker,
    UpdateInstaller installer,
    UpdateStatusStore status,
    BootSlots slots,
    UpdateEvents events,
    TimeProvider time) : BackgroundService
{
    private readonly SemaphoreSlim _checking = new(1, 1);
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Lock _lock = new();
    private Task _install = Task.CompletedTask;

    /// <summary>Checks now (waiting for a check already running); installing stays a separate, explicit step.</summary>
    public async Task<UpdateStatusView> CheckNowAsync(CancellationToken cancellationToken)
    {
        await CheckAsync(allowAutomaticInstall: false, cancellationToken);
        return status.Snapshot();
    }

    /// <summary>An administrator's "install now": starts installing the available update in the background.</summary>
    public (InstallStart Result, UpdateStatusView Status) StartInstall(string account, string? source)
    {
        if (!slots.IsSlotted)
        {
            return (InstallStart.NotSlotted, status.Snapshot());
        }

        if (status.Available is not { } target)
        {
            return (InstallStart.NothingAvailable, status.Snapshot());
        }

        if (!TryStartInstall(target))
        {
            return (InstallStart.Busy, status.Snapshot());
        }

        events.InstallStarted(target.Release.Version, account, source);
        return (InstallStart.Started, status.Snapshot());
    }

    public UpdateStatusView SetMode(UpdateMode mode, string account, string? source)
    {
        status.SetMode(mode);
        events.ModeChanged(mode, account, source);
        return status.Snapshot();
    }

    /// <summary>The running (or last) install; tests wait on it.</summary>
    public Task WaitForInstallAsync()
    {
        lock (_lock)
        {
            return _install;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.IsConfigured)
        {
            return;
        }

        var delay = options.FirstCheckDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            status.ReportNextCheck(time.GetUtcNow() + delay);
            try
            {
                await Task.Delay(delay, time, stoppingToken);
                await CheckAsync(allowAutomaticInstall: true, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = options.CheckInterval;
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await _shutdown.CancelAsync();
        await base.StopAsync(cancellationToken);
        try
        {
            await WaitForInstallAsync().WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout passed; the process ends anyway and the download resumes later.
        }
    }

    private async Task CheckAsync(bool allowAutomaticInstall, CancellationToken cancellationToken)
    {
        await _checking.WaitAsync(cancellationToken);
        try
        {
            var (result, target) = await checker.CheckAsync(cancellationToken);
            // A version this device already rolled back is not retried automatically (that would loop);
            // an administrator may still install it by hand, and a newer version is installed as usual.
            if (allowAutomaticInstall && target is not null && result.Result == UpdateCode.Ok && status.Mode == UpdateMode.Automatic && slots.IsSlotted
                && target.Release.Version != status.RolledBackVersion)
            {
                TryStartInstall(target);
            }
        }
        finally
        {
            _checking.Release();
        }
    }

    private bool TryStartInstall(TargetEntry target)
    {
        lock (_lock)
        {
            if (!_install.IsCompleted || _shutdown.IsCancellationRequested)
            {
                return false;
            }

            status.ReportProgress("downloading", 0, target.Length);
            _install = Task.Run(() => installer.InstallAsync(target, _shutdown.Token), CancellationToken.None);
            return true;
        }
    }

    public override void Dispose()
    {
        _checking.Dispose();
        _shutdown.Dispose();
        base.Dispose();
    }
}
