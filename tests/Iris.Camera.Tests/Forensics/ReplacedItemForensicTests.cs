using System.Text;
using Iris.Camera.Tests.Support;
using Iris.Camera.Vault;

namespace Iris.Camera.Tests.Forensics;

/// <summary>
/// Outside review of issue 12 (F9): a sealed item replaced by a new value (a stream password changed because it
/// leaked) must not stay in free blocks, where the live storage key would open it. The vault overwrites the
/// replaced item in place once the new one is durable; an item replaced by a plain rename, as before, is carved
/// back (the control).
/// </summary>
[Collection(ForensicImages.Name)]
public sealed class ReplacedItemForensicTests
{
    [Fact]
    public void AReplacedSealedItem_DoesNotOpenFromTheImage_WithTheLiveKey()
    {
        using var image = Ext4Image.Create();
        using var scratch = new TempDirectory();
        Directory.CreateDirectory(image.DataDirectory);
        var old = Encoding.UTF8.GetBytes("https://camuser:Str3amPassw0rdXYZ@192.0.2.10/stream");
        var current = Encoding.UTF8.GetBytes("https://camuser:N3wStreamSecretQQ@192.0.2.10/stream");
        var control = Encoding.UTF8.GetBytes("control-secret-only-renamed-over-4417");
        using (var key = FileStorageKeyProvider.OpenOrCreate(Path.Combine(image.DataDirectory, "storage.key"), sealedItemsExist: false))
        {
            var vault = new SecretVault(Path.Combine(image.DataDirectory, "vault"), key);
            vault.Seal("video-settings", old);
            vault.Seal("video-settings", current);

            // The control: the same kind of item replaced by a rename only, as the vault did before.
            vault.Seal("control", control);
            Iris.Camera.Platform.AtomicFile.Write(Path.Combine(image.DataDirectory, "vault", "control" + SecretVault.FileExtension),
                SealedItem.Seal("control", "replacement"u8, key));
        }

        image.Unmount();
        var carver = new Carver(image.ReadRaw());
        var keys = carver.FileKeysOnImage(scratch);
        Assert.NotEmpty(keys);
        var opened = carver.OpenSealedItems(keys, ["video-settings", "control"]);
        Assert.Contains(opened, o => o.Name == "control" && o.Secret.SequenceEqual(control));
        Assert.Contains(opened, o => o.Name == "video-settings" && o.Secret.SequenceEqual(current));
        Assert.DoesNotContain(opened, o => o.Name == "video-settings" && o.Secret.SequenceEqual(old));
    }
}
