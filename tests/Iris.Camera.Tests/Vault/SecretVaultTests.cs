using System.Text;
using Iris.Camera.Platform;
using Iris.Camera.Hosting;
using Iris.Camera.Tests.Support;
using Iris.Camera.Vault;

namespace Iris.Camera.Tests.Vault;

/// <summary>IoT-1005-1 5.4.1.2: secrets at rest sealed with AES-256-GCM; damage is detected, never returned as data.</summary>
public sealed class SecretVaultTests : IDisposable
{
    private readonly TempDirectory _data = new();
    private readonly FileStorageKeyProvider _provider;
    private readonly SecretVault _vault;

    public SecretVaultTests()
    {
        _provider = FileStorageKeyProvider.OpenOrCreate(_data.Combine("keys", "storage.key"), sealedItemsExist: false);
        _vault = new SecretVault(_data.Combine("vault"), _provider);
    }

    [Fact]
    public void SealedItem_RoundTrips()
    {
        var secret = Encoding.UTF8.GetBytes("the session signing key");
        _vault.Seal("session-key", secret);

        var read = _vault.Unseal("session-key");

        Assert.Equal(VaultReadStatus.Ok, read.Status);
        Assert.Equal(secret, read.Secret.ToArray());
    }

    [Fact]
    public void AnUnsealedSecret_IsZeroedWhenItsReadIsDisposed_AndCannotBeReadAfterwards()
    {
        _vault.Seal("session-key", Encoding.UTF8.GetBytes("the session signing key"));
        var read = _vault.Unseal("session-key");
        var view = read.Secret;
        Assert.Equal("the session signing key"u8.ToArray(), view.ToArray());

        read.Dispose();

        // The span still looks at the same pinned memory, which now holds only zeros.
        Assert.All(view.ToArray(), b => Assert.Equal(0, b));
        Assert.Throws<ObjectDisposedException>(() => read.Secret.Length);
    }

    [Fact]
    public void ATakenSecret_OutlivesItsRead_UntilItsOwnerDisposesIt()
    {
        _vault.Seal("recordings-key", [1, 2, 3, 4]);
        SecretBuffer kept;
        using (var read = _vault.Unseal("recordings-key"))
        {
            kept = read.TakeSecret();
        }

        Assert.Equal(new byte[] { 1, 2, 3, 4 }, kept.Span.ToArray());
        kept.Dispose();
        Assert.Throws<ObjectDisposedException>(() => kept.Length);
    }

    [Fact]
    public void AHealthCheck_LearnsWhetherAnItemOpens_WithoutItsBytes()
    {
        _vault.Seal("update-key", [9, 9, 9]);
        Assert.Null(_vault.ProblemOpening("update-key"));
        Assert.Equal("no such item", _vault.ProblemOpening("absent-key"));

        var path = _data.Combine("vault", "update-key.sealed");
        var damaged = File.ReadAllBytes(path);
        damaged[^1] ^= 0x01;
        File.WriteAllBytes(path, damaged);
        Assert.Contains("authentication", _vault.ProblemOpening("update-key"), StringComparison.Ordinal);
    }

    [Fact]
    public void SealedFile_DoesNotContainThePlaintext_AndIsOwnerOnly()
    {
        var marker = "plaintext-marker-" + Guid.NewGuid();
        _vault.Seal("token", Encoding.UTF8.GetBytes(marker));

        var path = _data.Combine("vault", "token.sealed");
        var raw = File.ReadAllBytes(path);

        Assert.Equal(-1, raw.AsSpan().IndexOf(Encoding.UTF8.GetBytes(marker)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_data.Combine("keys", "storage.key")));
    }

    [Fact]
    public void FlippingAnyBit_IsDetected()
    {
        _vault.Seal("device-key", RandomBytes(48));
        var path = _data.Combine("vault", "device-key.sealed");
        var original = File.ReadAllBytes(path);

        for (var i = 0; i < original.Length; i++)
        {
            foreach (var mask in new byte[] { 0x01, 0x80 })
            {
                var damaged = (byte[])original.Clone();
                damaged[i] ^= mask;
                File.WriteAllBytes(path, damaged);

                var read = _vault.Unseal("device-key");

                Assert.True(read.Status == VaultReadStatus.Corrupt, $"byte {i} mask {mask:x2} was not detected");
                Assert.Throws<InvalidOperationException>(() => read.Secret.Length);
            }
        }
    }

    [Fact]
    public void TruncatingAtAnyLength_IsDetected()
    {
        _vault.Seal("device-key", RandomBytes(48));
        var path = _data.Combine("vault", "device-key.sealed");
        var original = File.ReadAllBytes(path);

        for (var length = 0; length < original.Length; length++)
        {
            File.WriteAllBytes(path, original[..length]);

            var read = _vault.Unseal("device-key");

            Assert.True(read.Status == VaultReadStatus.Corrupt, $"truncation to {length} bytes was not detected");
        }
    }

    [Fact]
    public void ItemCopiedUnderAnotherName_DoesNotOpen()
    {
        _vault.Seal("viewer-token", RandomBytes(32));
        File.Copy(_data.Combine("vault", "viewer-token.sealed"), _data.Combine("vault", "admin-token.sealed"));

        var read = _vault.Unseal("admin-token");

        Assert.Equal(VaultReadStatus.Corrupt, read.Status);
    }

    [Fact]
    public void ItemFromAnotherDevice_DoesNotOpen()
    {
        using var other = new TempDirectory();
        using var otherProvider = FileStorageKeyProvider.OpenOrCreate(other.Combine("storage.key"), sealedItemsExist: false);
        var otherVault = new SecretVault(other.Combine("vault"), otherProvider);
        otherVault.Seal("device-key", RandomBytes(32));
        File.Copy(other.Combine("vault", "device-key.sealed"), _data.Combine("vault", "device-key.sealed"));

        Assert.Equal(VaultReadStatus.Corrupt, _vault.Unseal("device-key").Status);
    }

    [Fact]
    public void MissingItem_IsReportedAsNotFound()
    {
        Assert.Equal(VaultReadStatus.NotFound, _vault.Unseal("absent").Status);
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/b")]
    [InlineData("")]
    [InlineData(".hidden")]
    [InlineData("UPPER")]
    public void InvalidNames_AreRefused(string name)
    {
        Assert.Throws<ArgumentException>(() => _vault.Seal(name, [1]));
    }

    [Fact]
    public void ResealingReplacesTheValue_AndLeavesNoTemporaryFiles()
    {
        _vault.Seal("rotating", [1, 2, 3]);
        _vault.Seal("rotating", [4, 5, 6]);

        using var rotated = _vault.Unseal("rotating");
        Assert.Equal(new byte[] { 4, 5, 6 }, rotated.Secret.ToArray());
        Assert.Equal(["rotating.sealed"], Directory.GetFiles(_data.Combine("vault")).Select(Path.GetFileName));
    }

    [Fact]
    public void LeftoverTemporaryFiles_AreRemovedWhenTheVaultOpens()
    {
        var leftover = _data.Combine("vault", "x.sealed.tmp-0011223344");
        File.WriteAllBytes(leftover, [1, 2, 3]);

        _ = new SecretVault(_data.Combine("vault"), _provider);

        Assert.False(File.Exists(leftover));
    }

    [Fact]
    public void MissingStorageKey_WithSealedItems_StopsWithAClearError()
    {
        _vault.Seal("device-key", RandomBytes(32));
        File.Delete(_data.Combine("keys", "storage.key"));

        var error = Assert.Throws<StartupException>(() =>
            FileStorageKeyProvider.OpenOrCreate(_data.Combine("keys", "storage.key"), SecretVault.HasSealedItems(_data.Combine("vault"))));

        Assert.Contains("missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DamagedStorageKeyFile_IsReportedAsDamaged()
    {
        var keyFile = _data.Combine("keys", "storage.key");
        var bytes = File.ReadAllBytes(keyFile);
        bytes[10] ^= 0xFF;
        File.WriteAllBytes(keyFile, bytes);

        var error = Assert.Throws<StartupException>(() => FileStorageKeyProvider.OpenOrCreate(keyFile, sealedItemsExist: true));

        Assert.Contains("damaged", error.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _provider.Dispose();
        _data.Dispose();
    }

    private static byte[] RandomBytes(int length) => System.Security.Cryptography.RandomNumberGenerator.GetBytes(length);
}
