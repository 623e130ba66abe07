using Iris.Camera.Platform;
using Iris.Firmware.Durable;
using Iris.Firmware.Slots;

namespace Iris.Camera.Updates;

/// <summary>
/// The A/B slot record of the launcher that started this daemon, opened once for the whole daemon. Without
/// Iris.Boot (no <c>Iris:Boot</c> settings) there is no record and nothing can be installed.
/// </summary>
internal sealed class BootSlots(BootOptions boot)
{
    public bool IsSlotted => boot.IsSlotted;

    /// <summary>The slot this daemon runs from ("a" or "b"), when slotted.</summary>
    public string? Running => boot.IsSlotted ? boot.Slot : null;

    public string? BootDirectory => boot.IsSlotted ? boot.Directory : null;

    public SlotRecordStore? Store { get; } = boot.IsSlotted ? new SlotRecordStore(DiskFileSystem.Instance, boot.Directory!) : null;

    public SlotRecord? Load() => Store?.Load();
}
