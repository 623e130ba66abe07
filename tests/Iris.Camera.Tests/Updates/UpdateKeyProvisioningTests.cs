using System.Security.Cryptography;
using Iris.Camera.Platform;
using Iris.Camera.Tests.Forensics;
using Iris.Camera.Tests.Support;
using Iris.Camera.Updates;
using Iris.Camera.Vault;
using Iris.Firmware.Metadata;
using Microsoft.Extensions.Logging.Abstractions;

namespace Iris.Camera.Tests.Updates;

/// <summary>
/// Outside review of issue 18 (F4): the production example provisioned the update key under /etc, which the
/// service's unit makes read-only; the daemon sealed the key, failed to delete the file, crashed, and systemd
/// restarted it into the same crash every 2 s with the private key left on disk. Now that is a refusal to start
/// (exit 78) that names the file and the way out, and the key is sealed, so deleting the file by hand is enough.
/// The read-only file system is a real one (a loop-mounted ext4 remounted read-only, as root).
/// </summary>
[Collection(ForensicImages.Name)]
public sealed class UpdateKeyProvisioningTests
{
    [Fact]
    public void AProvisionedKeyOnAReadOnlyFileSystem_StopsTheStartWithTheWayOut_AndOnceDeletedTheSealedKeyIsUsed()
    {
        using var image = Ext4Image.Create();
        using var scratch = new TempDirectory();
        using var provisioned = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var keyFile = Path.Combine(image.MountPoint, "update-key.pem");
        File.WriteAllText(keyFile, provisioned.ExportPkcs8PrivateKeyPem());
        image.RemountReadOnly();

        using var storageKey = FileStorageKeyProvider.OpenOrCreate(scratch.Combine("storage.key"), sealedItemsExist: false);
        var vault = new SecretVault(scratch.Combine("vault"), storageKey);
        var options = new UpdateOptions { UpdateKeyFile = keyFile };

        var refused = Assert.Throws<StartupException>(new UpdateKeyStore(vault, options, NullLogger<UpdateKeyStore>.Instance).EnsureKey);
        Assert.Equal(StartupException.ConfigurationError, refused.ExitCode);
        Assert.Contains($"'{keyFile}'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("cannot be deleted", refused.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(keyFile), "nothing pretends the file is gone");

        // The operator deletes the file; the next start uses the key it sealed, not a new one.
        image.RemountReadOnly(readOnly: false);
        File.Delete(keyFile);
        var next = new UpdateKeyStore(vault, options, NullLogger<UpdateKeyStore>.Instance);
        next.EnsureKey();
        Assert.Equal(MetadataSignatures.KeyId(provisioned.ExportSubjectPublicKeyInfo()), next.KeyId);
    }
}
