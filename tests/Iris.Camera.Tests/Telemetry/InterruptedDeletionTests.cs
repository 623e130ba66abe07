using Iris.Camera.Telemetry;
using Iris.Camera.Tests.Support;
using Iris.Camera.Vault;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Telemetry;

/// <summary>
/// Outside review of issue 12 (F8): a deletion of telemetry ("delete all" included) killed between removing the
/// rows and destroying the kind's key left the key, which would still open any copy of the rows a medium kept.
/// At the next start a telemetry key that no row needs is destroyed.
/// </summary>
public sealed class InterruptedDeletionTests
{
    [Fact]
    public async Task ATelemetryKeyNoRowNeeds_IsDestroyedAtTheNextStart()
    {
        using var dir = new TempDirectory();
        var item = Path.Combine(dir.Path, "vault", VaultDataKeys.ItemPrefix + TelemetrySentHistory.KeyName + SecretVault.FileExtension);
        await using (var camera = await InProcessCamera.StartAsync(dir.Path))
        {
            var sent = camera.App.Services.GetRequiredService<TelemetrySentHistory>();
            sent.Finish(sent.Begin("""{"uptime":1}"""), "delivered");
            Assert.True(File.Exists(item), "sending made no telemetry key");

            // The deletion's first half: the rows go; the crash comes before the key is destroyed.
            sent.DeleteAll();
        }

        Assert.True(File.Exists(item), "the key is gone before the restart: the test shows nothing");
        await using (await InProcessCamera.StartAsync(dir.Path))
        {
            Assert.False(File.Exists(item), "a telemetry key no row needs survived the start");
        }
    }
}
