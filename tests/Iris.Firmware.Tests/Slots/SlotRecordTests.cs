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
    public void TrialSpentByPowerCuts_IsGivenUpAsARollback_SayingHowOftenItFailed()
    {
        var record = Installed(tries: 3);
        for (var cut = 0; cut < 3; cut++)
        {
            // Each boot of the trial uses up its try first; the power cut means nothing records how it ended.
            record = BootDecisions.BeginAttempt(record, BootDecisions.Choose(record)!);
        }

        Assert.Null(record.LastRollback);

        record = BootDecisions.GiveUpSpentTrials(record, runningSlot: null, Now);

        Assert.StartsWith("version 1.1.0 on slot b was rolled back: the new version did not start successfully 3 times", record.LastRollback!.Reason, StringComparison.Ordinal);
        Assert.Equal((SlotEvent.Rollback, "b", Now), (record.LastRollback.Kind, record.LastRollback.Slot, record.LastRollback.At));
        Assert.Equal(0, record.B.Priority);
        Assert.Equal("a", BootDecisions.Choose(record)!.Slot);
    }

    [Fact]
    public void GiveUpSpentTrials_LeavesATrialWithTriesLeft_AndTheSlotRunningItsLastTry_Alone()
    {
        var withTriesLeft = BootDecisions.BeginAttempt(Installed(tries: 2), BootDecisions.Choose(Installed(tries: 2))!);
        var onLastTry = BootDecisions.BeginAttempt(Installed(tries: 1), BootDecisions.Choose(Installed(tries: 1))!);

        Assert.Equal(withTriesLeft, BootDecisions.GiveUpSpentTrials(withTriesLeft, runningSlot: null, Now));
        Assert.Equal(onLastTry, BootDecisions.GiveUpSpentTrials(onLastTry, runningSlot: "b", Now));
        Assert.NotNull(BootDecisions.GiveUpSpentTrials(onLastTry, runningSlot: "a", Now).LastRollback);
    }

    [Fact]
    public void OrderlyStopDuringATrial_GivesTheTryBack_ButNeverMoreThanWereGranted()
    {
        var record = Installed(tries: 1);
        record = BootDecisions.BeginAttempt(record, BootDecisions.Choose(record)!);
        Assert.Equal(0, record.B.TriesRemaining);

        record = BootDecisions.AttemptStopped(record, "b");
        Assert.Equal(1, record.B.TriesRemaining);
        record = BootDecisions.AttemptStopped(record, "b");
        Assert.Equal(1, record.B.TriesRemaining);
        Assert.Equal(new BootChoice("b", record.B, true), BootDecisions.Choose(record));
    }

    [Fact]
    public void Store_ReadsARecordWrittenBeforeTriesWereKept_AndOneWithAMemberItDoesNotKnow()
    {
        using var dir = new TempDir();
        var store = new SlotRecordStore(DiskFileSystem.Instance, dir.Path);
        var written = store.Save(Installed());
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(store.CopyPath((int)(written.Sequence % 2))).Split("\nsha256=")[0])!;
        json["b"]!.AsObject().Remove("triesGranted");
        json["a"]!.AsObject().Remove("triesGranted");
        json["addedByANewerDaemon"] = 7;
        var body = System.Text.Encoding.UTF8.GetBytes(json.ToJsonString());
        var checksum = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(body));
        File.WriteAllBytes(store.CopyPath((int)(written.Sequence % 2)), [.. body, .. System.Text.Encoding.UTF8.GetBytes($"\nsha256={checksum}\n")]);

        var read = store.Load();

        Assert.Equal(written with { B = written.B with { TriesGranted = 0 } }, read);
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
