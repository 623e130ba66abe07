using System.Net;
using System.Net.Http.Json;
using Iris.Camera.Storage;
using Iris.Camera.Tests.Support;
using Iris.Camera.Vault;

namespace Iris.Camera.Tests.Vault;

/// <summary>
/// The vault's storage key in a PKCS#11 token, with the daemon run as a process (issue 18): Pkcs11Interop reaches the
/// token through Type-based marshalling that the Native AOT build has only because of Vault/Pkcs11Interop.rd.xml, and
/// only a process that loads the token module exercises it. scripts/test-aot.sh runs this whole class against the AOT
/// binary, the JIT suite against the framework-dependent build: every token call the daemon makes (find, generate,
/// wrap, unwrap, destroy, relabel) runs on both.
/// </summary>
public sealed class Pkcs11DaemonProcessTests
{
    [Fact]
    public async Task DaemonWithAToken_FactoryReset_DestroysTheTokenKey_AndTheDeviceComesBackUnclaimedWithItsCertificate()
    {
        using var data = new TempDirectory();
        var token = SoftHsm.TakeToken();
        var environment = SoftHsm.VaultSettings(token).ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!);
        var directory = DataDirectory.Open(data.Path);
        var deviceKeyItem = Path.Combine(directory.VaultDirectory, "device-key" + SecretVault.FileExtension);
        string certificate;
        byte[] sealedBefore;
        using (var camera = await CameraProcess.StartAsync(data.Path, environment: environment))
        {
            certificate = camera.Certificate.Thumbprint;
            using var owner = await CameraSessions.ClaimAsync(camera.BaseAddress, camera.Certificate, camera.DefaultPassword!, InProcessCamera.OwnerPassword);
            sealedBefore = await File.ReadAllBytesAsync(deviceKeyItem);
            using var reset = await owner.Http.PostAsJsonAsync(new Uri("/api/device/factory-reset", UriKind.Relative), new { password = InProcessCamera.OwnerPassword });
            Assert.Equal(HttpStatusCode.Accepted, reset.StatusCode);
            // The launcher's restart code: the reset itself runs at the next start (Reset/README.md).
            Assert.Equal(75, await camera.Process.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        }

        using (var restarted = await CameraProcess.StartAsync(data.Path, environment: environment))
        {
            Assert.False(Iris.Camera.Reset.FactoryReset.IsPending(directory));
            // The device key is kept through the reset (re-sealed under the new token key), the owner is not.
            Assert.Equal(certificate, restarted.Certificate.Thumbprint);
            Assert.NotNull(restarted.DefaultPassword);
            var (login, client) = await CameraSessions.TrySignInAsync(restarted.BaseAddress, restarted.Certificate, "admin", InProcessCamera.OwnerPassword);
            client?.Dispose();
            Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
            restarted.Process.Terminate();
            Assert.Equal(0, await restarted.Process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }

        // The one key labelled for the vault in the token now is a new one: it opens the device key as sealed after the
        // reset and not as sealed before it, so the key that sealed the owner's data is gone from the token.
        Assert.False(File.Exists(directory.StorageKeyFile), "the reset fell back to a key file");
        using var key = Pkcs11StorageKeyProvider.Open(new Pkcs11VaultOptions { Module = SoftHsm.Module, TokenLabel = token, PinFile = SoftHsm.PinFile }, tokenSealedItemsExist: true);
        using (var after = SealedItem.Open("device-key", await File.ReadAllBytesAsync(deviceKeyItem), key))
        {
            Assert.Equal(VaultReadStatus.Ok, after.Status);
        }

        using var before = SealedItem.Open("device-key", sealedBefore, key);
        Assert.NotEqual(VaultReadStatus.Ok, before.Status);
    }

    [Fact]
    public async Task DaemonWithAToken_SealsWithIt_AndAfterARestartUnsealsTheOwnersAccount()
    {
        using var data = new TempDirectory();
        var token = SoftHsm.TakeToken();
        // The daemon reads settings from the environment too (Iris__Vault__Provider = Iris:Vault:Provider).
        var environment = SoftHsm.VaultSettings(token).ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!);
        string firstCertificate;
        using (var camera = await CameraProcess.StartAsync(data.Path, environment: environment))
        {
            firstCertificate = camera.Certificate.Thumbprint;
            using var owner = await CameraSessions.ClaimAsync(camera.BaseAddress, camera.Certificate, camera.DefaultPassword!, InProcessCamera.OwnerPassword);
            camera.Process.Terminate();
            Assert.Equal(0, await camera.Process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }

        var directory = DataDirectory.Open(data.Path);
        Assert.False(File.Exists(directory.StorageKeyFile), "a storage key file was written although the key is in the token");
        Assert.Contains("device-key", SecretVault.ItemsSealedBy(directory.VaultDirectory, Pkcs11StorageKeyProvider.ProviderId));
        Assert.Empty(SecretVault.ItemsSealedBy(directory.VaultDirectory, FileStorageKeyProvider.ProviderId));

        using var restarted = await CameraProcess.StartAsync(data.Path, environment: environment);
        // The same certificate: the device key was unsealed through the token, not made anew.
        Assert.Equal(firstCertificate, restarted.Certificate.Thumbprint);
        var (login, client) = await CameraSessions.TrySignInAsync(restarted.BaseAddress, restarted.Certificate, "admin", InProcessCamera.OwnerPassword);
        client?.Dispose();
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
    }
}
