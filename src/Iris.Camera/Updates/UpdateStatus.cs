using Iris.Firmware.Metadata;

namespace Iris.Camera.Updates;

public enum UpdateMode
{
    Automatic,
    Manual,
}

public sealed record UpdateResultView(DateTimeOffset At, UpdateCode Result, string Message);

public sealed record AvailableUpdateView(string Version, long SecurityVersion, DateOnly SupportEnd, long Length);

public sealed record UpdateProgressView(string Phase, long Done, long Total)
{
    public static readonly UpdateProgressView Idle = new("idle", 0, 0);
}

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
