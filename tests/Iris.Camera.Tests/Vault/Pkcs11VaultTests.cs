using Iris.Camera.Platform;
using Iris.Camera.Storage;
using Iris.Camera.Tests.Support;
using Iris.Camera.Vault;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using System.Net.Http.Json;

namespace Iris.Camera.Tests.Vault;

/// <summary>
/// IoT-1005-1 5.4.1.2 with the storage key in a PKCS#11 token (SoftHSM2 here; a TPM through tpm2-pkcs11 on a
/// board): the key is made inside the token and never leaves it, nothing in the data directory opens a sealed
/// item, and a device moves from the file key to the token without losing an item.
/// </summary>
public sealed class Pkcs11VaultTests
{
    [Fact]
    public async Task TokenHoldsTheKey_AndTheDataDirectoryAloneOpensNothing()
    {
        using var dir = new TempDirectory();
        var token = SoftHsm.TakeToken();
        string serial;
        await using (var camera = await StartAsync(dir.Path, token))
        {
            using var owner = await camera.ClaimAsync();
            serial = camera.App.Services.GetRequiredService<Iris.Camera.Identity.DeviceIdentity>().Serial;
            var provider = Assert.IsType<Pkcs11StorageKeyProvider>(camera.App.Services.GetRequiredService<OpenedVault>().Provider);
            Assert.Equal((true, false, true), provider.KeyAttributes());
        }

        var data = DataDirectory.Open(dir.Path);
        Assert.False(File.Exists(data.StorageKeyFile));
        var items = Directory.GetFiles(data.VaultDirectory, "*.sealed");
        Assert.NotEmpty(items);
        Assert.All(items, item => Assert.Equal("pkcs11", SealedItem.ProviderIdOf(File.ReadAllBytes(item))));
        // With the data directory alone, there is no key to open anything with.
        Assert.Throws<Iris.Camera.Platform.StartupException>(() => FileStorageKeyProvider.OpenOrCreate(data.StorageKeyFile, SecretVault.HasSealedItems(data.VaultDirectory)));

        await using (var again = await StartAsync(dir.Path, token))
        {
            Assert.Equal(serial, again.App.Services.GetRequiredService<Iris.Camera.Identity.DeviceIdentity>().Serial);
            using var owner = await again.SignInAsync("admin", InProcessCamera.OwnerPassword);
        }
    }

    [Fact]
    public async Task AnotherTokensKey_DoesNotOpenTheItems()
    {
        using var dir = new TempDirectory();
        await using (var camera = await StartAsync(dir.Path, SoftHsm.TakeToken()))
        {
            using var owner = await camera.ClaimAsync();
        }

        var error = await Assert.ThrowsAsync<Iris.Camera.Platform.StartupException>(() => StartAsync(dir.Path, SoftHsm.TakeToken()));
        Assert.Contains("cannot be opened", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MovingFromTheFileKeyToAToken_KeepsEveryItem_AndDeletesTheKeyFile()
    {
        using var dir = new TempDirectory();
        string serial;
        IReadOnlyList<string> itemsBefore;
        await using (var camera = await InProcessCamera.StartAsync(dir.Path))
        {
            using var owner = await camera.ClaimAsync();
            serial = camera.App.Services.GetRequiredService<Iris.Camera.Identity.DeviceIdentity>().Serial;
            itemsBefore = camera.App.Services.GetRequiredService<SecretVault>().List();
        }

        var data = DataDirectory.Open(dir.Path);
        Assert.True(File.Exists(data.StorageKeyFile));
        await using (var moved = await StartAsync(dir.Path, SoftHsm.TakeToken()))
        {
            Assert.Equal(serial, moved.App.Services.GetRequiredService<Iris.Camera.Identity.DeviceIdentity>().Serial);
            using var owner = await moved.SignInAsync("admin", InProcessCamera.OwnerPassword);
            var vault = moved.App.Services.GetRequiredService<SecretVault>();
            Assert.Equal(itemsBefore, vault.List());
            Assert.All(vault.List(), name => Assert.Equal(VaultReadStatus.Ok, vault.Unseal(name).Status));
        }

        Assert.False(File.Exists(data.StorageKeyFile));
        Assert.Empty(SecretVault.ItemsSealedBy(data.VaultDirectory, FileStorageKeyProvider.ProviderId));
    }

    [Fact]
    public async Task MigrationInterruptedPartWay_IsFinishedAtTheNextStart()
    {
        using var dir = new TempDirectory();
        await using (var camera = await InProcessCamera.StartAsync(dir.Path))
        {
            using var owner = await camera.ClaimAsync();
        }

        // A crash after the first item was re-sealed: one item is under the token, the rest under the file key.
        var token = SoftHsm.TakeToken();
        var data = DataDirectory.Open(dir.Path);
        var options = new VaultOptions { Provider = "pkcs11", Pkcs11 = new Pkcs11VaultOptions { Module = SoftHsm.Module, TokenLabel = token, PinFile = SoftHsm.PinFile } };
        using (var tokenKey = Pkcs11StorageKeyProvider.Open(options.Pkcs11, tokenSealedItemsExist: false))
        using (var fileKey = FileStorageKeyProvider.OpenOrCreate(data.StorageKeyFile, sealedItemsExist: true))
        {
            var first = SecretVault.ItemsSealedBy(data.VaultDirectory, "file")[0];
            using var opened = new SecretVault(data.VaultDirectory, fileKey).Unseal(first);
            var secret = opened.Secret.ToArray();
            new SecretVault(data.VaultDirectory, tokenKey).Seal(first, secret);
        }

        Assert.NotEmpty(SecretVault.ItemsSealedBy(data.VaultDirectory, "pkcs11"));
        Assert.NotEmpty(SecretVault.ItemsSealedBy(data.VaultDirectory, "file"));

        await using (var resumed = await StartAsync(dir.Path, token))
        {
            using var owner = await resumed.SignInAsync("admin", InProcessCamera.OwnerPassword);
        }

        Assert.Empty(SecretVault.ItemsSealedBy(data.VaultDirectory, "file"));
        Assert.False(File.Exists(data.StorageKeyFile));
    }

    private static Task<InProcessCamera> StartAsync(string dataDirectory, string token) =>
        InProcessCamera.StartAsync(dataDirectory, b => b.Configuration.AddInMemoryCollection(SoftHsm.VaultSettings(token)));
}

/// <summary>Factory reset with the storage key in a token: the token key is destroyed, so a copy of any item sealed before stays closed.</summary>
public sealed class Pkcs11FactoryResetTests
{
    [Fact]
    public async Task Reset_DestroysTheTokenKey_AndKeepsTheDevice()
    {
        using var dir = new TempDirectory();
        var token = SoftHsm.TakeToken();
        var settings = SoftHsm.VaultSettings(token);
        var restart = new Restart();
        string serial, defaultPassword;
        byte[] sealedBefore;
        await using (var camera = await InProcessCamera.StartAsync(dir.Path, b =>
        {
            b.Configuration.AddInMemoryCollection(settings);
            b.Services.AddSingleton<Iris.Camera.Platform.IRestartRequester>(restart);
        }))
        {
            serial = camera.App.Services.GetRequiredService<Iris.Camera.Identity.DeviceIdentity>().Serial;
            defaultPassword = camera.DefaultPassword!;
            using var owner = await camera.ClaimAsync();
            camera.App.Services.GetRequiredService<SecretVault>().Seal("owner-secret", "recorded before the reset"u8);
            sealedBefore = await File.ReadAllBytesAsync(Path.Combine(dir.Path, "vault", "owner-secret.sealed"));
            using var reset = await owner.Http.PostAsJsonAsync(new Uri("/api/device/factory-reset", UriKind.Relative), new { password = InProcessCamera.OwnerPassword });
            Assert.Equal(System.Net.HttpStatusCode.Accepted, reset.StatusCode);
        }

        await using var fresh = await InProcessCamera.StartAsync(dir.Path, b => b.Configuration.AddInMemoryCollection(settings));
        Assert.Equal(serial, fresh.App.Services.GetRequiredService<Iris.Camera.Identity.DeviceIdentity>().Serial);
        using (var restricted = await fresh.SignInAsync("admin", defaultPassword))
        {
        }

        var vault = fresh.App.Services.GetRequiredService<SecretVault>();
        Assert.False(vault.Contains("owner-secret"));
        await File.WriteAllBytesAsync(Path.Combine(dir.Path, "vault", "owner-secret.sealed"), sealedBefore);
        Assert.Equal(VaultReadStatus.Corrupt, vault.Unseal("owner-secret").Status);
    }

    private sealed class Restart : Iris.Camera.Platform.IRestartRequester
    {
        public void RequestRestart()
        {
        }
    }
}
