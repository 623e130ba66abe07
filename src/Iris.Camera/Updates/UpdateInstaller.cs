using Iris.Camera.Platform;
using Iris.Camera.Storage;
using Iris.Firmware.Agent;
using Iris.Firmware.Durable;
using Iris.Firmware.Metadata;
using Iris.Firmware.Slots;

namespace Iris.Camera.Updates;

/// <summary>
/// Runs one install: downloads the chosen bundle (resuming a partial one) under its signed length and hash,
/// installs it into the slot that is not running (<see cref="UpdateEngine"/>), records the result, and asks
/// the launcher for a restart into the new slot. Cancelling it (the daemon stopping) ends it at once and keeps
/// the download for the next attempt; the new slot stays unbootable until a later install completes.
/// </summary>
internal sealed partial class UpdateInstaller
{
    private readonly BootSlots _slots;
    private readonly DataDirectory _data;
    private readonly IBundleDownloader _downloader;
    private readonly UpdateKeyStore _keys;
    private readonly UpdateStatusStore _status;
    private readonly UpdateEvents _events;
    private readonly IRestartRequester _restart;
    private readonly ILogger<UpdateInstaller> _logger;
    private readonly int _bootTries;
    private readonly UpdateEngine? _engine;
    private readonly ISlotInstaller? _slotInstaller;

    public UpdateInstaller(UpdateOptions options, BootSlots slots, DataDirectory data, IBundleDownloader downloader, UpdateKeyStore keys,
        UpdateStatusStore status, UpdateEvents events, IRestartRequester restart, TimeProvider time, ILogger<UpdateInstaller> logger)
    {
        (_slots, _data, _downloader, _keys, _status, _events, _restart, _logger) = (slots, data, downloader, keys, status, events, restart, logger);
        _bootTries = options.BootTries;
        if (slots.Store is { } store)
        {
            _engine = new UpdateEngine(store, time);
            _slotInstaller = options.SlotKind == ReleaseInfo.ImageKind
                ? new ImageSlotInstaller(DiskFileSystem.Instance, options.SlotImages)
                : new DirectorySlotInstaller(DiskFileSystem.Instance, slots.BootDirectory!);
        }
    }

    private string DownloadDirectory => Path.Combine(_data.UpdatesDirectory, "download");

    /// <summary>At start: partial downloads stay for resuming; anything else left over is removed.</summary>
    public void RemoveStaleDownloads()
    {
        if (Directory.Exists(DownloadDirectory))
        {
            foreach (var stale in Directory.EnumerateFiles(DownloadDirectory).Where(f => !f.EndsWith(".irfw", StringComparison.Ordinal)))
            {
                File.Delete(stale);
            }
        }
    }

    /// <summary>Installs <paramref name="target"/> and records how that went; never throws for an expected failure or a cancellation.</summary>
    public async Task<UpdateOutcome> InstallAsync(TargetEntry target, CancellationToken cancellationToken)
    {
        UpdateOutcome outcome;
        try
        {
            outcome = await DownloadAndInstallAsync(target, cancellationToken);
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is OperationCanceledException or IOException or HttpRequestException)
        {
            // Cut off by the shutdown, whichever way the aborted transfer or write surfaced.
            outcome = new UpdateOutcome(UpdateCode.InstallFailed, $"the install of {target.Release.Version} stopped because the daemon shut down; it starts again at the next attempt");
            _status.RecordInstall(outcome);
            return outcome;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            LogInstallFailed(_logger, e);
            outcome = new UpdateOutcome(UpdateCode.InstallFailed, e.Message);
            _status.RecordInstall(outcome);
            return outcome;
        }
        finally
        {
            _status.ReportProgress(UpdateProgressView.Idle.Phase, 0, 0);
        }

        _status.RecordInstall(outcome);
        if (outcome.Code != UpdateCode.NotSlotted)
        {
            _events.InstallEnded(target.Release.Version, outcome);
        }

        if (outcome.Code == UpdateCode.Ok)
        {
            _restart.RequestRestart();
        }

        return outcome;
    }

    private async Task<UpdateOutcome> DownloadAndInstallAsync(TargetEntry target, CancellationToken cancellationToken)
    {
        if (_engine is null || _slotInstaller is null)
        {
            return new UpdateOutcome(UpdateCode.NotSlotted, "this daemon was not started by Iris.Boot; updates need A/B slots");
        }

        Directory.CreateDirectory(DownloadDirectory);
        var file = Path.Combine(DownloadDirectory, $"{target.Sha256}.irfw");
        foreach (var other in Directory.EnumerateFiles(DownloadDirectory).Where(f => f != file))
        {
            File.Delete(other);
        }

        var length = target.Length;
        _status.ReportProgress("downloading", 0, length);
        var outcome = await UpdateEngine.DownloadAsync(_downloader, target, file, new StatusProgress(_status, "downloading", length), cancellationToken);
        if (outcome.Succeeded)
        {
            var plaintext = target.Release.Payload.PlaintextLength;
            _status.ReportProgress("installing", 0, plaintext);
            using var key = _keys.Open();
            outcome = await _engine.InstallAsync(target, file, key, _slotInstaller, _slots.Running!, _bootTries,
                new StatusProgress(_status, "installing", plaintext), cancellationToken);
        }

        if (outcome.Code is not UpdateCode.Unreachable)
        {
            // Keep a partial download for resuming; a finished or refused one is removed.
            File.Delete(file);
        }

        return outcome;
    }

    /// <summary>Progress straight into the status (no hop through a synchronisation context per chunk).</summary>
    private sealed class StatusProgress(UpdateStatusStore status, string phase, long total) : IProgress<long>
    {
        public void Report(long value) => status.ReportProgress(phase, value, total);
    }

    [LoggerMessage(EventId = 6200, Level = LogLevel.Error, Message = "Update install failed")]
    private static partial void LogInstallFailed(ILogger logger, Exception exception);
}
