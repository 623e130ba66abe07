using System.Globalization;
using System.Net;
using Iris.Camera.Storage;
using Iris.Camera.Tests.Support;
using Iris.Camera.Vault;

namespace Iris.Camera.Tests.Hosting;

/// <summary>
/// SIGKILL (no shutdown code runs, as in a power cut of the process) in the middle of writes, then restart:
/// the vault and the database must be usable and every write reported before the kill must be intact.
/// </summary>
public sealed class CrashSafetyTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task KillingAWriterMidWrite_LeavesVaultAndDatabaseUsable()
    {
        using var data = new TempDirectory();
        var random = new Random(20261128);
        var reportedWrites = 0;

        for (var round = 0; round < 8; round++)
        {
            using (var writer = ChildProcess.Start("Iris.Camera.CrashWriter", [data.Path]))
            {
                // Kill once the writer has finished a random number of writes: the kill lands inside a later one.
                var target = random.Next(1, 25).ToString(CultureInfo.InvariantCulture);
                await writer.WaitForLineAsync(l => l == target, Timeout);
                writer.Kill();
                reportedWrites += writer.StandardOutput
                    .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(l => int.Parse(l, CultureInfo.InvariantCulture))
                    .Max();
            }

            AssertVaultItemsOpen(data.Path);
            var database = AssertDatabaseHealthy(data.Path);
            // Each reported number was printed after its transaction committed: none may be lost.
            Assert.True(database.CountBoots() >= Math.Min(reportedWrites, 1000), $"round {round}: fewer rows than reported writes");
        }

        using var camera = await CameraProcess.StartAsync(data.Path);
        using var response = await camera.Client.GetAsync(new Uri("/api/device", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("keys/storage.key")]
    [InlineData("vault/device-key.sealed")]
    [InlineData("identity/device-cert.pem")]
    [InlineData("identity/device.json")]
    [InlineData("iris.db")]
    public async Task KillingTheDaemonDuringFirstStart_ThenRestarting_Works(string killWhenThisExists)
    {
        using var data = new TempDirectory();
        using (var first = ChildProcess.Start("Iris.Camera", ["--listen", "127.0.0.1:0", "--data-dir", data.Path]))
        {
            await WaitForFileAsync(Path.Combine(data.Path, killWhenThisExists), first);
            first.Kill();
        }

        string serial;
        using (var second = await CameraProcess.StartAsync(data.Path))
        {
            using var response = await second.Client.GetAsync(new Uri("/api/device", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            serial = DeviceSerialOf(await response.Content.ReadAsStringAsync());
            second.Process.Kill();
        }

        // Killed while serving: the committed identity and database come back unchanged.
        using var third = await CameraProcess.StartAsync(data.Path);
        using var again = await third.Client.GetAsync(new Uri("/api/device", UriKind.Relative));
        Assert.Equal(serial, DeviceSerialOf(await again.Content.ReadAsStringAsync()));
        AssertDatabaseHealthy(data.Path);
    }

    private static string DeviceSerialOf(string json) =>
        System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("serial").GetString()!;

    private static async Task WaitForFileAsync(string path, ChildProcess process)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!File.Exists(path))
        {
            Assert.False(process.HasExited, $"daemon exited before {path} appeared:\n{process.StandardError}");
            Assert.True(DateTime.UtcNow < deadline, $"{path} did not appear");
            await Task.Yield();
        }
    }

    private static void AssertVaultItemsOpen(string dataDirectory)
    {
        var data = DataDirectory.Open(dataDirectory);
        using var provider = FileStorageKeyProvider.OpenOrCreate(data.StorageKeyFile, SecretVault.HasSealedItems(data.VaultDirectory));
        var vault = new SecretVault(data.VaultDirectory, provider);
        foreach (var name in vault.List())
        {
            using var read = vault.Unseal(name);
            Assert.True(read.Status == VaultReadStatus.Ok, $"{name}: {read.Failure}");
            Assert.True(read.Secret.StartsWith("crash-writer-secret-"u8), name);
        }
    }

    private static CameraDatabase AssertDatabaseHealthy(string dataDirectory)
    {
        // Open runs quick_check and the migrations; it throws on any damage.
        var database = CameraDatabase.Open(Path.Combine(dataDirectory, "iris.db"), CameraApp.Schema());
        Assert.True(database.CountBoots() > 0);
        return database;
    }
}
