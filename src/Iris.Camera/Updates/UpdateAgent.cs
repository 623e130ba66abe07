using System.Globalization;
using System.Text.Json;
using Iris.Camera.Events;
using Iris.Camera.Platform;
using Iris.Camera.Identity;
using Iris.Camera.Storage;
using Iris.Firmware.Agent;
using Iris.Firmware.Durable;
using Iris.Firmware.Metadata;
using Iris.Firmware.Repository;
using Iris.Firmware.Slots;

namespace Iris.Camera.Updates;

public enum UpdateMode
{
    Automatic,
    Manual,
}

public sealed record UpdateResultView(DateTimeOffset At, UpdateCode Result, string Message);

public sealed record AvailableUpdateView(string Version, long SecurityVersion, DateOnly SupportEnd, long Length);

public sealed record UpdateProgressView(string Phase, long Done, long Total);

/// <summary>The update status page (5.3.1.3) and the support period (5.3.1.4).</summary>
public sealed record UpdateStatusView(
    bool Configured,
    bool Slotted,
    string InstalledVersion,
    string? Slot,
    DateOnly? SupportEnd,
    bool SupportEnded,
    UpdateMode Mode,
    UpdateResultView? LastCheck,
    AvailableUpdateView? Available,
    UpdateProgressView Progress,
    UpdateResultView? LastInstall,
    UpdateResultView? LastRollback,
    bool MetadataStale,
    DateTimeOffset? MetadataExpires,
    DateTimeOffset? NextCheck,
    string? UpdateKeyId);

/// <summary>
/// The update agent: checks the vendor repository on a schedule (default daily) and on demand, verifies
/// metadata (TUF rules), downloads the chosen bundle over the strict TLS client, installs it into the inactive
/// slot and restarts into it. Only one check or install runs at a time. Results survive restarts (settings).
/// </summary>
internal sealed partial class UpdateAgent : BackgroundService
{
    private const string ModeSetting = "updates.mode";
    private const string LastCheckSetting = "updates.last-check";
    private const string LastInstallSetting = "updates.last-install";
    private const string RollbackNotedSetting = "updates.rollback-noted";
    private const string RolledBackVersionSetting = "updates.rolled-back-version";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly UpdateOptions _options;
    private readonly BootOptions _boot;
    private readonly DataDirectory _data;
    private readonly CameraDatabase _database;
    private readonly DeviceIdentity _identity;
    private readonly SoftwareInfo _software;
    private readonly UpdateKeyStore _keys;
    private readonly SecurityEventLog _events;
    private readonly AlertCenter _alerts;
    private readonly IRestartRequester _restart;
    private readonly TimeProvider _time;
    private readonly ILogger<UpdateAgent> _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly HttpsUpdateTransport? _transport;
    private readonly RepositoryClient? _client;
    private TargetEntry? _available;
    private UpdateProgressView _progress = new("idle", 0, 0);
    private DateTimeOffset? _nextCheck;
    private Task? _background;

    public UpdateAgent(UpdateOptions options, BootOptions boot, DataDirectory data, CameraDatabase database, DeviceIdentity identity, SoftwareInfo software,
        UpdateKeyStore keys, SecurityEventLog events, AlertCenter alerts, IRestartRequester restart, TimeProvider time, ILogger<UpdateAgent> logger)
    {
        (_options, _boot, _data, _database, _identity, _software, _keys, _events, _alerts, _restart, _time, _logger) =
            (options, boot, data, database, identity, software, keys, events, alerts, restart, time, logger);
        if (options.IsConfigured)
        {
            _transport = new HttpsUpdateTransport(new Uri(options.RepositoryUrl!), Web.ClientTls.LoadTrust(options.CaCertificateFile!), time);
            _client = new RepositoryClient(_transport, new DirectoryMetadataStore(TrustedDirectory), time);
        }
    }

    private string TrustedDirectory => Path.Combine(_data.UpdatesDirectory, "trusted");

    private string DownloadDirectory => Path.Combine(_data.UpdatesDirectory, "download");

    public UpdateMode Mode => Enum.TryParse<UpdateMode>(_database.GetSetting(ModeSetting), out var mode) ? mode : UpdateMode.Automatic;

    /// <summary>Installs the shipped root on first start and notes a rollback the launcher made.</summary>
    public void Initialise()
    {
        _keys.EnsureKey();
        if (_options.IsConfigured && !File.Exists(Path.Combine(TrustedDirectory, "root.json")))
        {
            var bytes = File.ReadAllBytes(_options.TrustedRootFile!);
            if (MetadataCheck.Parse<RootDocument>(bytes, RoleName.Root) is not { } root || !MetadataCheck.IsSoundRoot(root.Document))
            {
                throw new StartupException($"'{_options.TrustedRootFile}' is not valid root metadata.", StartupException.ConfigurationError);
            }

            new DirectoryMetadataStore(TrustedDirectory).Save(RoleName.Root, bytes);
        }

        if (Directory.Exists(DownloadDirectory))
        {
            // Partial downloads stay for resuming; anything else left over is removed.
            foreach (var stale in Directory.EnumerateFiles(DownloadDirectory).Where(f => !f.EndsWith(".irfw", StringComparison.Ordinal)))
            {
                File.Delete(stale);
            }
        }

        NoteRollback();
    }

    public void SetMode(UpdateMode mode) => _database.SetSetting(ModeSetting, mode.ToString(), _time.GetUtcNow());

    public UpdateStatusView Status()
    {
        var record = _boot.IsSlotted ? new SlotRecordStore(DiskFileSystem.Instance, _boot.Directory!).Load() : null;
        var view = _client?.TrustedView();
        var metadataExpires = view is null ? (DateTimeOffset?)null : new[] { view.Timestamp.Expires, view.Snapshot.Expires, view.Targets.Expires, view.Root.Expires }.Min();
        var now = _time.GetUtcNow();
        var lastRollback = record?.LastRollback is { } rollback ? new UpdateResultView(rollback.At, UpdateCode.InstallFailed, rollback.Reason) : null;
        var available = _available?.Release is { } release ? new AvailableUpdateView(release.Version, release.SecurityVersion, release.SupportEnd, _available.Length) : null;
        return new UpdateStatusView(
            _options.IsConfigured,
            _boot.IsSlotted,
            _software.Version,
            _software.Slot,
            _software.SupportEnd,
            _software.SupportEnd is { } end && DateOnly.FromDateTime(now.UtcDateTime) > end,
            Mode,
            Read(LastCheckSetting),
            available,
            _progress,
            Read(LastInstallSetting),
            lastRollback,
            metadataExpires is { } expires && expires <= now,
            metadataExpires,
            _nextCheck,
            _keys.KeyId);
    }

    /// <summary>Checks now; with automatic mode, installs what it finds (and restarts into it).</summary>
    public async Task<UpdateResultView> CheckAsync(bool allowAutomaticInstall, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        TargetEntry? toInstall = null;
        UpdateResultView result;
        try
        {
            result = await CheckLockedAsync(cancellationToken);
            // A version this device already rolled back is not retried automatically (that would loop);
            // an administrator may still install it by hand.
            if (allowAutomaticInstall && Mode == UpdateMode.Automatic && result.Result == UpdateCode.Ok && _boot.IsSlotted
                && _available?.Release.Version != _database.GetSetting(RolledBackVersionSetting))
            {
                toInstall = _available;
            }
        }
        finally
        {
            _gate.Release();
        }

        if (toInstall is not null)
        {
            StartInstall();
        }

        return result;
    }

    /// <summary>Starts installing the available update in the background; false when one is already running or none is available.</summary>
    public bool StartInstall()
    {
        if (!_gate.Wait(0))
        {
            return false;
        }

        // Read under the gate: no check can replace it while this install runs.
        if (_available is not { } target)
        {
            _gate.Release();
            return false;
        }

        _progress = new UpdateProgressView("downloading", 0, target.Length);
        _background = Task.Run(async () =>
        {
            try
            {
                var outcome = await InstallLockedAsync(target, CancellationToken.None);
                if (outcome.Code == UpdateCode.Ok)
                {
                    _restart.RequestRestart();
                }
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
            {
                Record(LastInstallSetting, new UpdateOutcome(UpdateCode.InstallFailed, e.Message));
                LogInstallFailed(_logger, e);
            }
            finally
            {
                _progress = new UpdateProgressView("idle", 0, 0);
                _gate.Release();
            }
        });
        return true;
    }

    /// <summary>Waits for a background install (tests and shutdown).</summary>
    public Task WaitForInstallAsync() => _background ?? Task.CompletedTask;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.IsConfigured)
        {
            return;
        }

        var delay = _options.FirstCheckDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            _nextCheck = _time.GetUtcNow() + delay;
            try
            {
                await Task.Delay(delay, _time, stoppingToken);
                await CheckAsync(allowAutomaticInstall: true, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = _options.CheckInterval;
        }
    }

    private async Task<UpdateResultView> CheckLockedAsync(CancellationToken cancellationToken)
    {
        if (_client is null)
        {
            return Record(LastCheckSetting, new UpdateOutcome(UpdateCode.Unreachable, "no update repository is configured"));
        }

        var (view, outcome) = await _client.RefreshAsync(cancellationToken);
        if (view is null)
        {
            _available = null;
            NoteRefusal(outcome);
            return Record(LastCheckSetting, outcome);
        }

        var record = _boot.IsSlotted ? new SlotRecordStore(DiskFileSystem.Instance, _boot.Directory!).Load() : null;
        var device = new DeviceState(_identity.Model, _software.Version, record?.SecurityCounter ?? _software.SecurityVersion);
        var (target, choice) = UpdateEngine.Choose(view.Targets, device);
        _available = target;
        NoteRefusal(choice);
        if (target is not null && !_boot.IsSlotted)
        {
            choice = choice with { Message = choice.Message + "; this daemon was not started by Iris.Boot, so it cannot install it" };
        }

        return Record(LastCheckSetting, choice);
    }

    private async Task<UpdateOutcome> InstallLockedAsync(TargetEntry target, CancellationToken cancellationToken)
    {
        UpdateOutcome outcome;
        if (!_boot.IsSlotted)
        {
            outcome = new UpdateOutcome(UpdateCode.NotSlotted, "this daemon was not started by Iris.Boot; updates need A/B slots");
            Record(LastInstallSetting, outcome);
            return outcome;
        }

        Directory.CreateDirectory(DownloadDirectory);
        var file = Path.Combine(DownloadDirectory, $"{target.Sha256}.irfw");
        foreach (var other in Directory.EnumerateFiles(DownloadDirectory).Where(f => f != file))
        {
            File.Delete(other);
        }

        outcome = await UpdateEngine.DownloadAsync(_transport!, target, file, new Progress<long>(done => _progress = new UpdateProgressView("downloading", done, target.Length)),
            cancellationToken);
        if (outcome.Succeeded)
        {
            _progress = new UpdateProgressView("installing", 0, target.Release.Payload.PlaintextLength);
            var fs = DiskFileSystem.Instance;
            ISlotInstaller installer = _options.SlotKind == ReleaseInfo.ImageKind
                ? new ImageSlotInstaller(fs, _options.SlotImages)
                : new DirectorySlotInstaller(fs, _boot.Directory!);
            using var key = _keys.Open();
            var engine = new UpdateEngine(new SlotRecordStore(fs, _boot.Directory!), _time);
            outcome = await engine.InstallAsync(target, file, key, installer, _boot.Slot!, _options.BootTries,
                new Progress<long>(done => _progress = new UpdateProgressView("installing", done, target.Release.Payload.PlaintextLength)), cancellationToken);
        }

        if (outcome.Code is not UpdateCode.Unreachable)
        {
            // Keep a partial download for resuming; a finished or refused one is removed.
            File.Delete(file);
        }

        Record(LastInstallSetting, outcome);
        _events.Append(outcome.Succeeded ? SecurityEventKinds.UpdateInstalled : SecurityEventKinds.UpdateRefused, null, null,
            $"{target.Release.Version}: {outcome.Message}");
        if (!outcome.Succeeded)
        {
            NoteRefusal(outcome);
        }

        return outcome;
    }

    /// <summary>Refusals that point at tampering raise a security event and an alert; plain "nothing new" does not.</summary>
    private void NoteRefusal(UpdateOutcome outcome)
    {
        if (outcome.Code is UpdateCode.BelowThreshold or UpdateCode.Rollback or UpdateCode.Mismatch or UpdateCode.TooLarge or UpdateCode.Expired
            or UpdateCode.TransportRefused or UpdateCode.PayloadRejected or UpdateCode.LowerSecurityVersion or UpdateCode.Malformed)
        {
            _events.Append(SecurityEventKinds.UpdateRefused, null, null, $"{outcome.Code}: {outcome.Message}");
            _alerts.Raise(AlertKinds.UpdateRefused, null, null, $"An update was refused: {outcome.Message}");
        }
    }

    private void NoteRollback()
    {
        var record = _boot.IsSlotted ? new SlotRecordStore(DiskFileSystem.Instance, _boot.Directory!).Load() : null;
        if (record?.LastRollback is not { } rollback)
        {
            return;
        }

        var noted = _database.GetSetting(RollbackNotedSetting);
        var at = rollback.At.ToString("O", CultureInfo.InvariantCulture);
        if (noted == at)
        {
            return;
        }

        _events.Append(SecurityEventKinds.UpdateRolledBack, null, null, rollback.Reason);
        _alerts.Raise(AlertKinds.UpdateRolledBack, null, null, $"An update was rolled back: {rollback.Reason}");
        _database.SetSetting(RolledBackVersionSetting, record[rollback.Slot].Version, _time.GetUtcNow());
        _database.SetSetting(RollbackNotedSetting, at, _time.GetUtcNow());
    }

    private UpdateResultView Record(string setting, UpdateOutcome outcome)
    {
        var view = new UpdateResultView(_time.GetUtcNow(), outcome.Code, outcome.Message);
        _database.SetSetting(setting, JsonSerializer.Serialize(view, Json), view.At);
        if (!outcome.Succeeded)
        {
            LogOutcome(_logger, setting, outcome.Code, outcome.Message);
        }

        return view;
    }

    private UpdateResultView? Read(string setting)
    {
        var text = _database.GetSetting(setting);
        try
        {
            return text is null ? null : JsonSerializer.Deserialize<UpdateResultView>(text, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public override void Dispose()
    {
        _transport?.Dispose();
        _gate.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Update install failed")]
    private static partial void LogInstallFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Update {Step}: {Code}: {Message}")]
    private static partial void LogOutcome(ILogger logger, string step, UpdateCode code, string message);
}
