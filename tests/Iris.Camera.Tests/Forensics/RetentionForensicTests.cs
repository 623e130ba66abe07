using Iris.Camera.Events;
using Iris.Camera.Tests.Support;
using Iris.Camera.Vault;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Iris.Camera.Tests.Forensics;

/// <summary>
/// Issue 12: security-log records removed by retention do not open from a copy of the disk while the log lives on.
/// The carver gets the database and WAL as they were before the purge (what a medium that never overwrites keeps)
/// and the disk after it, with every field key the disk still holds; the removed month's key is gone, so its
/// records stay closed, while a record retention kept still opens (the carve works).
/// </summary>
public sealed class RetentionForensicTests
{
    private const string OldAccount = "old-visitor-olga";
    private const string OldSource = "198.51.100.23";
    private const string KeptAccount = "kept-rhea";

    [Fact]
    public async Task RecordsRemovedByRetention_OpenWithNoKeyLeftOnTheDisk_WhileKeptRecordsStillDo()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(new DateTimeOffset(2027, 1, 10, 0, 0, 0, TimeSpan.Zero));
        await using var camera = await InProcessCamera.StartAsync(dir.Path, time: time);
        var log = camera.App.Services.GetRequiredService<SecurityEventLog>();
        log.Append(SecurityEventKinds.LoginFailed, OldSource, OldAccount);
        time.Advance(TimeSpan.FromDays(100));
        log.Append(SecurityEventKinds.LoginFailed, "198.51.100.24", KeptAccount);

        var kept = DatabaseFiles(dir.Path);
        var keysBefore = Carver.FieldKeysIn(dir.Path);
        // The control: before the purge the old record opens from the copy with a key the disk holds.
        Assert.True(new Carver(kept).SealedFieldReveals(keysBefore, OldAccount), "the control failed: the old record does not open before the purge");

        time.Advance(TimeSpan.FromDays(100));
        camera.App.Services.GetRequiredService<SecurityLogRetention>().Purge();
        var remaining = log.Read(0, 100);
        using (var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while (!remaining.Any(e => e.Kind == SecurityEventKinds.SecurityLogPurged))
            {
                await Task.Delay(20, cancel.Token);
                remaining = log.Read(0, 100);
            }
        }

        Assert.DoesNotContain(remaining, e => e.Account == OldAccount);
        Assert.False(File.Exists(Path.Combine(dir.Path, "vault", VaultDataKeys.ItemPrefix + EventFields.MonthKeyPrefix + "2027-01.sealed")), "the purged month's key is still in the vault");
        var carver = new Carver([.. kept, .. DatabaseFiles(dir.Path)]);
        var keysAfter = Carver.FieldKeysIn(dir.Path);
        Assert.True(carver.SealedFieldReveals(keysAfter, KeptAccount), "a record retention kept does not open: the carve is broken");
        Assert.False(carver.SealedFieldReveals(keysAfter, OldAccount), "a record retention removed opens with a key left on the disk");
        Assert.False(carver.SealedFieldReveals(keysAfter, OldSource), "a record retention removed opens with a key left on the disk");
    }

    private static readonly string[] DatabaseFileNames = ["iris.db", "iris.db-wal"];

    private static byte[] DatabaseFiles(string directory) =>
        [.. DatabaseFileNames.Select(f => Path.Combine(directory, f)).Where(File.Exists).SelectMany(File.ReadAllBytes)];
}
