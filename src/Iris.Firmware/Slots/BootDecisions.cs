namespace Iris.Firmware.Slots;

/// <summary>The slot the launcher should run, and whether it is still on trial.</summary>
public sealed record BootChoice(string Slot, SlotState State, bool Trial);

/// <summary>
/// The pure rules of A/B boot control, shared by the launcher (Iris.Boot), the daemon (mark good) and the
/// update agent (install). Every change returns a new record; the caller saves it.
/// </summary>
public static class BootDecisions
{
    public const int NewSlotPriority = 2;
    public const int OldSlotPriority = 1;

    /// <summary>Highest-priority slot that is proven good or still has tries, and is not below the security counter.</summary>
    public static BootChoice? Choose(SlotRecord record)
    {
        var bootable = SlotRecord.SlotNames
            .Select(name => (Name: name, State: record[name]))
            .Where(s => s.State.Entry.Length > 0 && s.State.SecurityVersion >= record.SecurityCounter)
            .ToList();
        var pick = bootable
            .Where(s => s.State.Priority > 0 && (s.State.Successful || s.State.TriesRemaining > 0))
            .OrderByDescending(s => s.State.Priority).ThenBy(s => s.Name, StringComparer.Ordinal)
            .Select(s => (s.Name, s.State)).FirstOrDefault();
        if (pick.Name is null)
        {
            // Last resort: any slot that once proved good.
            pick = bootable.Where(s => s.State.Successful).Select(s => (s.Name, s.State)).FirstOrDefault();
        }

        return pick.Name is null ? null : new BootChoice(pick.Name, pick.State, !pick.State.Successful);
    }

    /// <summary>A trial boot uses up one try before the slot runs, so a power cut during the trial still counts.</summary>
    public static SlotRecord BeginAttempt(SlotRecord record, BootChoice choice) =>
        choice.Trial ? record.With(choice.Slot, choice.State with { TriesRemaining = Math.Max(0, choice.State.TriesRemaining - 1) }) : record;

    /// <summary>A trial that crashed or never reported healthy; with no tries left, the slot is given up.</summary>
    public static SlotRecord AttemptFailed(SlotRecord record, string slot, string reason, DateTimeOffset now)
    {
        var state = record[slot];
        if (state.Successful)
        {
            return record with { LastEvent = new SlotEvent(now, SlotEvent.BootFailed, slot, reason) };
        }

        if (state.TriesRemaining > 0)
        {
            return record with { LastEvent = new SlotEvent(now, SlotEvent.BootFailed, slot, reason) };
        }

        var rollback = new SlotEvent(now, SlotEvent.Rollback, slot,
            $"version {state.Version} on slot {slot} was rolled back: {reason}");
        return record.With(slot, state with { Priority = 0 }) with { LastEvent = rollback, LastRollback = rollback };
    }

    /// <summary>
    /// An orderly stop (the launcher was sent SIGTERM) while a trial ran is not a failed start: the try the
    /// attempt used up is given back. A crash or a power cut never reaches this, so it still counts.
    /// </summary>
    public static SlotRecord AttemptStopped(SlotRecord record, string slot)
    {
        var state = record[slot];
        if (state.Successful || state.Priority == 0)
        {
            return record;
        }

        var cap = state.TriesGranted > 0 ? state.TriesGranted : int.MaxValue;
        return record.With(slot, state with { TriesRemaining = Math.Min(cap, state.TriesRemaining + 1) });
    }

    /// <summary>
    /// A trial slot with no tries left that is neither proven good nor given up had its last attempt end with no
    /// one to record it: power cuts (or a killed launcher) during its trials. That is a rollback all the same,
    /// with its reason, so the status, the alert and the no-automatic-retry rule see it. The slot running now,
    /// if any, is left alone: its trial is still going.
    /// </summary>
    public static SlotRecord GiveUpSpentTrials(SlotRecord record, string? runningSlot, DateTimeOffset now)
    {
        foreach (var slot in SlotRecord.SlotNames.Where(s => s != runningSlot))
        {
            var state = record[slot];
            if (state.Entry.Length > 0 && !state.Successful && state.Priority > 0 && state.TriesRemaining == 0)
            {
                var times = state.TriesGranted > 0 ? $" {state.TriesGranted} time{(state.TriesGranted == 1 ? "" : "s")}" : " in any of its trial boots";
                record = AttemptFailed(record, slot, $"the new version did not start successfully{times} (its trial boots were cut off, as by power loss, before it reported healthy)", now);
            }
        }

        return record;
    }

    /// <summary>The daemon passed its own health checks: the slot is good and the security counter may advance.</summary>
    public static SlotRecord MarkGood(SlotRecord record, string slot, DateTimeOffset now)
    {
        var state = record[slot];
        if (state.Successful && record.SecurityCounter >= state.SecurityVersion)
        {
            return record;
        }

        return record.With(slot, state with { Successful = true, TriesRemaining = 0 }) with
        {
            SecurityCounter = Math.Max(record.SecurityCounter, state.SecurityVersion),
            LastEvent = new SlotEvent(now, SlotEvent.MarkedGood, slot, $"version {state.Version} passed its health checks"),
        };
    }

    /// <summary>Before the first byte is written, the target slot becomes unbootable.</summary>
    public static SlotRecord BeginInstall(SlotRecord record, string slot) => record.With(slot, SlotState.Empty);

    /// <summary>After the written slot verified: it boots next, on trial, with the running slot as fallback.</summary>
    public static SlotRecord CompleteInstall(SlotRecord record, string slot, SlotState installed, int tries, DateTimeOffset now)
    {
        var other = SlotRecord.Other(slot);
        return record
            .With(slot, installed with { Priority = NewSlotPriority, TriesRemaining = tries, TriesGranted = tries, Successful = false })
            .With(other, record[other] with { Priority = OldSlotPriority }) with
        {
            LastEvent = new SlotEvent(now, SlotEvent.Installed, slot, $"version {installed.Version} installed on slot {slot}"),
        };
    }

    /// <summary>The record of a freshly provisioned device: slot a holds the factory software and is good.</summary>
    public static SlotRecord Initial(SlotState factory) =>
        new(0, factory.SecurityVersion, factory with { Priority = OldSlotPriority, Successful = true, TriesRemaining = 0 }, SlotState.Empty, null, null);
}
