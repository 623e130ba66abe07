using Iris.Camera.Platform;
using Iris.Camera.Storage;
using Iris.Camera.Tests.Support;

namespace Iris.Camera.Tests.Forensics;

/// <summary>
/// The carver against the old behaviour: a key file that is only unlinked (what factory reset and migration did
/// before issue 12) is carved back whole from the free blocks; the same file destroyed by <see cref="Shredder"/>
/// is not. This is what makes the erasure tests able to fail.
/// </summary>
[Collection(ForensicImages.Name)]
public sealed class ShredderForensicTests
{
    [Fact]
    public void AnUnlinkedKeyFileIsCarvedBack_AShreddedOneIsNot()
    {
        using var image = Ext4Image.Create();
        using var scratch = new TempDirectory();
        Directory.CreateDirectory(image.DataDirectory);
        var unlinked = Path.Combine(image.DataDirectory, "unlinked.key");
        var shredded = Path.Combine(image.DataDirectory, "shredded.key");
        using (Iris.Camera.Vault.FileStorageKeyProvider.OpenOrCreate(unlinked, sealedItemsExist: false))
        using (Iris.Camera.Vault.FileStorageKeyProvider.OpenOrCreate(shredded, sealedItemsExist: false))
        {
        }

        var unlinkedContent = File.ReadAllBytes(unlinked);
        var shreddedContent = File.ReadAllBytes(shredded);
        AtomicFile.DeleteDurably(unlinked);
        Shredder.Destroy(shredded);
        image.Unmount();

        var carver = new Carver(image.ReadRaw());
        Assert.True(carver.Contains(unlinkedContent), "the carver should find the only-unlinked key file");
        Assert.Single(carver.FileKeysOnImage(scratch));
        Assert.False(carver.Contains(shreddedContent), "the shredded key file survives on the image");
    }
}
