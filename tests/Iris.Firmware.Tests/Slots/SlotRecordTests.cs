using Iris.Firmware.Durable;
using Iris.Firmware.Slots;
using Iris.Firmware.Tests.Support;

namespace Iris.Firmware.Tests.Slots;

/// <summary>The A/B boot control record and its rules: trial boots, rollback, mark-good and anti-rollback.</summary>
public sealed class SlotRecordTests
{
    private static readonly DateTimeOffset Now = new(2027, 3, 1, 8, 0, 0, TimeSpan.Zero);

    private static SlotRecord Installed(long newSecurityVersion = 2, int tries = 2) =>
        BootDecisions.CompleteInstall(
            BootDecisions.Initial(new SlotState("1.0.0", 1, null, "start.sh", 0, 0, true)),
            "b", new SlotState("1.1.0", newSecurityVersion, null, "start.sh", 0, 0, false), tries, Now);

    [Fact]
    public void NewSlot_BootsOnTrial_AndEachAttemptUsesATry()
    {
        var record = Installed(tries: 2);

        var first = BootDecisions.Choose(record)!;
        record = BootDecisions.BeginAttempt(record, first);
        record = BootDecisions.AttemptFailed(record, "b", "exited with code 3", Now);
        var second = BootDecisions.Choose(record)!;
        record = BootDecisions.BeginAttempt(record, second);
        record = BootDecisions.AttemptFailed(record, "b", "exited with code 3", Now);

        Assert.Equal(("b", true), (first.Slot, first.Trial));
        Assert.Equal("b", second.Slot);
        Assert.Equal("a", BootDecisions.Choose(record)!.Slot);
        Assert.Equal("version 1.1.0 on slot b was rolled back: exited with code 3", record.LastRollback!.Reason);
        Assert.Equal(0, record.B.Priority);
    }

    [Fact]
    public void MarkGood_EndsTheTrial_AndAdvancesTheSecurityCounter_SoTheOldSlotCannotBoot()
    {
        var record = Installed(newSecurityVersion: 3);
        record = BootDecisions.BeginAttempt(record, BootDecisions.Choose(record)!);

        record = BootDecisions.MarkGood(record, "b", Now);

        Assert.True(record.B.Successful);
        Assert.Equal(3, record.SecurityCounter);
        Assert.Equal(new BootChoice("b", record.B, false), BootDecisions.Choose(record));

        // Even with the new slot given up, the older, vulnerable software may not come back.
        var withoutB = record.With("b", record.B with { Priority = 0, Successful = false });
        Assert.Null(BootDecisions.Choose(withoutB));
    }

    [Fact]
    public void SameSecurityVersion_KeepsTheOldSlotAsFallback()
    {
        var record = BootDecisions.MarkGood(Installed(newSecurityVersion: 1), "b", Now);

        var withoutB = record.With("b", record.B with { Priority = 0, Successful = false });

        Assert.Equal("a", BootDecisions.Choose(withoutB)!.Slot);
    }

    [Fact]
    public void Store_KeepsTwoCopies_AndSurvivesTheNewestOneBeingDamaged()
    {
        using var dir = new TempDir();
        var store = new SlotRecordStore(DiskFileSystem.Instance, dir.Path);
        var first = store.Save(Installed());
        var second = store.Save(BootDecisions.MarkGood(first, "b", Now));
        Assert.Equal(2, store.ValidCopies());
        Assert.Equal(second, store.Load());

        var newest = store.CopyPath((int)(second.Sequence % 2));
        var bytes = File.ReadAllBytes(newest);
        bytes[10] ^= 0x01;
        File.WriteAllBytes(newest, bytes);

        Assert.Equal(1, store.ValidCopies());
        Assert.Equal(first, store.Load());
    }

    [Fact]
    public void Store_WithBothCopiesDamaged_ReportsNoRecord()
    {
        using var dir = new TempDir();
        var store = new SlotRecordStore(DiskFileSystem.Instance, dir.Path);
        store.Save(Installed());
        store.Save(Installed());
        File.WriteAllText(store.CopyPath(0), "garbage");
        File.WriteAllText(store.CopyPath(1), "{}\nsha256=00");

        Assert.Null(store.Load());
    }
}
