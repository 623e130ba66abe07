using System.Security.Cryptography;
using Iris.Camera.Media;
using Iris.Camera.Storage;
using Iris.Camera.Tests.Forensics;
using Iris.Camera.Tests.Support;
using Iris.Camera.Vault;

namespace Iris.Camera.Tests.Vault;

/// <summary>
/// Issue 12, Acceptance: the move from the file key to a token, SIGKILLed after every step (each item re-sealed,
/// the rotation requested, the key file destroyed, the next recordings key sealed, each segment key re-wrapped,
/// the recordings key replaced), then started again: afterwards nothing opens with the old file key, no segment
/// key unwraps with the old recordings key, and everything opens through the token. The child is
/// <c>Iris.Camera.CrashWriter migrate</c>, which runs the daemon's own migration code and waits after each step.
/// </summary>
public sealed class MigrationKillTests
{
    private static readonly string[] Items = ["video-settings", "device-key", VaultDataKeys.ItemPrefix + "accounts"];

    [Fact]
    public async Task MigrationToAToken_KilledAfterEveryStep_LeavesNothingTheOldFileKeyOrRecordingsKeyOpens()
    {
        var token = SoftHsm.TakeToken();
        var steps = await RunAsync(token, "whole", killAfter: null);
        Assert.True(steps >= Items.Length + 1 + 6, $"only {steps} steps were reported");
        for (var k = 1; k <= steps; k++)
        {
            await RunAsync(token, $"kill{k}", killAfter: k);
        }
    }

    /// <summary>One migration, killed after step <paramref name="killAfter"/> and then run again to the end; returns the steps of the first run before its end or kill.</summary>
    private static async Task<int> RunAsync(string token, string keyLabel, int? killAfter)
    {
        using var directory = new TempDirectory();
        using var scratch = new TempDirectory();
        var data = DataDirectory.Open(directory.Path);
        var segments = Enumerable.Range(0, 3).Select(_ => RandomNumberGenerator.GetBytes(16)).ToList();
        byte[] oldKeyFile, oldRecordingsKey;
        using (var file = FileStorageKeyProvider.OpenOrCreate(data.StorageKeyFile, sealedItemsExist: false))
        {
            var vault = new SecretVault(data.VaultDirectory, file);
            foreach (var item in Items)
            {
                vault.Seal(item, RandomNumberGenerator.GetBytes(32));
            }

            using (var recordings = new RecordingsKey(vault, new SegmentFiles(data)))
            {
                segments.ForEach(id => CryptographicOperations.ZeroMemory(recordings.NewSegmentKey(id)));
            }

            using var read = vault.Unseal(RecordingsKey.VaultItem);
            oldRecordingsKey = read.Secret.ToArray();
            oldKeyFile = await File.ReadAllBytesAsync(data.StorageKeyFile);
        }

        var reported = await MigrateAsync(directory.Path, token, keyLabel, killAfter);
        if (killAfter is not null)
        {
            Assert.Equal(killAfter, reported);
            await MigrateAsync(directory.Path, token, keyLabel, killAfter: null);
        }

        Assert.False(File.Exists(data.StorageKeyFile), "the file key survived the migration");
        using var old = Carver.FileKeyFrom(oldKeyFile, scratch) ?? throw new InvalidOperationException("the captured key file does not load");
        using var tokenKey = Pkcs11StorageKeyProvider.Open(new Pkcs11VaultOptions { Module = SoftHsm.Module, TokenLabel = token, KeyLabel = keyLabel, PinFile = SoftHsm.PinFile },
            tokenSealedItemsExist: true);
        var names = SecretVault.ItemsSealedBy(data.VaultDirectory, tokenKey.Id);
        Assert.Equal(Items.Append(RecordingsKey.VaultItem).Order(StringComparer.Ordinal), names);
        foreach (var name in names)
        {
            var sealedItem = await File.ReadAllBytesAsync(Path.Combine(data.VaultDirectory, name + SecretVault.FileExtension));
            using var withOld = SealedItem.Open(name, sealedItem, old);
            Assert.NotEqual(VaultReadStatus.Ok, withOld.Status);
            using var withToken = SealedItem.Open(name, sealedItem, tokenKey);
            Assert.Equal(VaultReadStatus.Ok, withToken.Status);
        }

        var vaultOnToken = new SecretVault(data.VaultDirectory, tokenKey);
        Assert.False(vaultOnToken.RotationRequested);
        Assert.False(vaultOnToken.Contains(RecordingsKey.NextVaultItem));
        using var newRecordingsKey = vaultOnToken.Unseal(RecordingsKey.VaultItem);
        using var table = new SegmentKeyTable(Path.Combine(new SegmentFiles(data).Directory, "keys", "segment.slots"));
        foreach (var id in segments)
        {
            var wrapped = table.Find(id) ?? throw new InvalidOperationException("a segment's slot is gone");
            Assert.Null(SegmentKeyTable.Unwrap(oldRecordingsKey, id, wrapped));
            Assert.NotNull(SegmentKeyTable.Unwrap(newRecordingsKey.Secret, id, wrapped));
        }

        return reported;
    }

    /// <summary>Runs the child, releasing it after each step, and SIGKILLs it right after step <paramref name="killAfter"/>; returns the steps it reported.</summary>
    internal static async Task<int> MigrateAsync(string directory, string token, string keyLabel, int? killAfter)
    {
        using var child = ChildProcess.Start("Iris.Camera.CrashWriter", ["migrate", directory, SoftHsm.Module, token, keyLabel, SoftHsm.PinFile]);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var released = 0;
        while (!child.HasExited)
        {
            var steps = Steps(child);
            if (killAfter is { } n && steps >= n)
            {
                child.Kill();
                return steps;
            }

            if (steps > released)
            {
                child.WriteLine("go");
                released = steps;
            }

            Assert.True(DateTime.UtcNow < deadline, "the migration did not progress:\n" + child.StandardOutput + child.StandardError);
            await Task.Delay(1);
        }

        Assert.Equal(0, await child.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("done", child.StandardOutput, StringComparison.Ordinal);
        return Steps(child);
    }

    private static int Steps(ChildProcess child) =>
        child.StandardOutput.Split('\n').Count(l => l.StartsWith("step ", StringComparison.Ordinal));
}
