using System.Globalization;
using System.Text.Json;
using Iris.Camera.Platform;

using Iris.Camera.Storage;
using Iris.Firmware.Metadata;
using Iris.Firmware.Slots;

namespace Iris.Camera.Updates;

/// <summary>
/// Everything <c>GET /api/updates</c> shows, in one place: what survives restarts (mode, last check, last
/// install, the rolled-back version, in the settings table) and what lives only while the daemon runs (the
/// available release, progress, next check). Writers are the checker, installer, scheduler and rollback notes;
/// the status is read at any time, also while an install runs, without waiting for it.
/// </summary>
internal sealed partial class UpdateStatusStore(
    UpdateOptions options,
    BootSlots slots,
    CameraDatabase database,
    SoftwareInfo software,
    UpdateKeyStore keys,
    RepositoryClient repository,
    TimeProvider time,
    ILogger<UpdateStatusStore> logger) : IAvailableUpdate
{
    private const string ModeSetting = "updates.mode";
    private const string LastCheckSetting = "updates.last-check";
    private const string LastInstallSetting = "updates.last-install";
    private const string RollbackNotedSetting = "updates.rollback-noted";
    private const string RolledBackVersionSetting = "updates.rolled-back-version";

    private readonly Lock _lock = new();
    private TargetEntry? _available;
    private UpdateProgressView _progress = UpdateProgressView.Idle;
    private DateTimeOffset? _nextCheck;

    public UpdateMode Mode => Enum.TryParse<UpdateMode>(database.GetSetting(ModeSetting), out var mode) ? mode : UpdateMode.Automatic;

    /// <summary>The release the last check chose, if any; an install takes its own copy when it starts.</summary>
    public TargetEntry? Available
    {
        get { lock (_lock) { return _available; } }
        set { lock (_lock) { _available = value; } }
    }

    public string? LatestVersion => Available?.Release.Version;

    /// <summary>A version this device rolled back: not installed again automatically (that would loop).</summary>
    public string? RolledBackVersion => database.GetSetting(RolledBackVersionSetting);

    public void SetMode(UpdateMode mode) => database.SetSetting(ModeSetting, mode.ToString(), time.GetUtcNow());

    public void ReportProgress(string phase, long done, long total)
    {
        lock (_lock)
        {
            _progress = new UpdateProgressView(phase, done, total);
        }
    }

    public void ReportNextCheck(DateTimeOffset? at)
    {
        lock (_lock)
        {
            _nextCheck = at;
        }
    }

    public UpdateResultView RecordCheck(UpdateOutcome outcome) => Record(LastCheckSetting, outcome, time.GetUtcNow());

    public UpdateResultView RecordInstall(UpdateOutcome outcome) => Record(LastInstallSetting, outcome, time.GetUtcNow());

    public bool IsRollbackNoted(SlotEvent rollback) => database.GetSetting(RollbackNotedSetting) == Key(rollback);

    /// <summary>A rollback ends the install it undid: the last install shows it, and its version is not retried automatically.</summary>
    public void RecordRollback(string version, SlotEvent rollback)
    {
        var now = time.GetUtcNow();
        database.SetSetting(RolledBackVersionSetting, version, now);
        Record(LastInstallSetting, new UpdateOutcome(UpdateCode.InstallFailed, rollback.Reason), rollback.At);
        database.SetSetting(RollbackNotedSetting, Key(rollback), now);
    }

    public UpdateStatusView Snapshot()
    {
        var record = slots.Load();
        var view = repository.TrustedView();
        var metadataExpires = view is null ? (DateTimeOffset?)null : new[] { view.Timestamp.Expires, view.Snapshot.Expires, view.Targets.Expires, view.Root.Expires }.Min();
        var now = time.GetUtcNow();
        var lastRollback = record?.LastRollback is { } rollback ? new UpdateResultView(rollback.At, UpdateCode.InstallFailed, rollback.Reason) : null;
        TargetEntry? target;
        UpdateProgressView progress;
        DateTimeOffset? nextCheck;
        lock (_lock)
        {
            (target, progress, nextCheck) = (_available, _progress, _nextCheck);
        }

        var available = target?.Release is { } release ? new AvailableUpdateView(release.Version, release.SecurityVersion, release.SupportEnd, target.Length) : null;
        return new UpdateStatusView(
            options.IsConfigured,
            slots.IsSlotted,
            software.Version,
            software.Slot,
            software.SupportEnd,
            software.SupportEnd is { } end && DateOnly.FromDateTime(now.UtcDateTime) > end,
            Mode,
            Read(LastCheckSetting),
            available,
            progress,
            Read(LastInstallSetting),
            lastRollback,
            metadataExpires is { } expires && expires <= now,
            metadataExpires,
            nextCheck,
            keys.KeyId);
    }

    private static string Key(SlotEvent rollback) => rollback.At.ToString("O", CultureInfo.InvariantCulture);

    private UpdateResultView Record(string setting, UpdateOutcome outcome, DateTimeOffset at)
    {
        var view = new UpdateResultView(at, outcome.Code, outcome.Message);
        database.SetSetting(setting, JsonSerializer.Serialize(view, UpdatesJson.Default.UpdateResultView), time.GetUtcNow());
        if (!outcome.Succeeded)
        {
            LogOutcome(logger, setting, outcome.Code, outcome.Message);
        }

        return view;
    }

    private UpdateResultView? Read(string setting)
    {
        var text = database.GetSetting(setting);
        try
        {
            return text is null ? null : JsonSerializer.Deserialize(text, UpdatesJson.Default.UpdateResultView);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = 6100, Level = LogLevel.Warning, Message = "Update {Step}: {Code}: {Message}")]
    private static partial void LogOutcome(ILogger logger, string step, UpdateCode code, string message);
}
