using System.Net;
using Iris.Camera.Platform;
using Iris.Camera.Storage;
using Iris.Camera.Tests.Support;
using Iris.Camera.Vault;

namespace Iris.Camera.Tests.Vault;

/// <summary>
/// The vault's storage key in a PKCS#11 token, with the daemon run as a process (issue 18): the Native AOT build
/// compiles Pkcs11Interop's delegate marshalling ahead of time (ILC's IL3053), which only a process that loads the
/// token module exercises. scripts/test-aot.sh runs the second test against the AOT binary: there the token cannot be
/// driven, and the daemon must say so and stop, not abort.
/// </summary>
public sealed class Pkcs11DaemonProcessTests
{
    [Fact]
    public async Task ATokenVault_OpensOnTheJitBuild_AndIsRefusedWithTheWayOutOnTheNativeAotBuild()
    {
        using var data = new TempDirectory();
        var token = SoftHsm.TakeToken();
        var environment = SoftHsm.VaultSettings(token).ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!);
        if (ChildProcess.DaemonBinary is null)
        {
            using var camera = await CameraProcess.StartAsync(data.Path, environment: environment);
            Assert.False(File.Exists(DataDirectory.Open(data.Path).StorageKeyFile), "a storage key file was written although the key is in the token");
            return;
        }

        // IRIS_DAEMON_BINARY is the Native AOT build (scripts/test-aot.sh).
        using var process = ChildProcess.Start("Iris.Camera", ["--listen", "127.0.0.1:0", "--data-dir", data.Path], environment);
        Assert.Equal(StartupException.ConfigurationError, await process.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("cannot drive a PKCS#11 token", process.StandardError, StringComparison.Ordinal);
        Assert.Contains("framework-dependent build", process.StandardError, StringComparison.Ordinal);
        Assert.False(File.Exists(DataDirectory.Open(data.Path).StorageKeyFile), "the refused daemon fell back to a key file");
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
