using Iris.Firmware.Slots;

namespace Iris.Camera.Updates;

/// <summary>
/// Notes, once, a rollback the launcher made before this daemon started: a security event, an alert, the last
/// install shown as rolled back, and the version remembered so automatic mode does not install it again.
/// A trial whose tries were all used up without a recorded end (power cuts during the trial, under a
/// bootloader or launcher that did not write the rollback) is turned into that rollback here, with its reason.
/// </summary>
internal sealed class UpdateRollbacks(BootSlots slots, UpdateStatusStore status, UpdateEvents events, TimeProvider time)
{
    public void NoteAtStart()
    {
        if (slots.Store is not { } store || store.Load() is not { } record)
        {
            return;
        }

        var givenUp = BootDecisions.GiveUpSpentTrials(record, slots.Running, time.GetUtcNow());
        if (givenUp != record)
        {
            record = store.Save(givenUp);
        }

        if (record.LastRollback is not { } rollback || status.IsRollbackNoted(rollback))
        {
            return;
        }

        events.RolledBack(rollback.Reason);
        status.RecordRollback(record[rollback.Slot].Version, rollback);
    }
}
