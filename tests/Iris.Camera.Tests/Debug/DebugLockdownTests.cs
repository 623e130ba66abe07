using System.Text.Json;
using Iris.Camera.Tests.Support;
using Iris.Camera.Tests.Web;

namespace Iris.Camera.Tests.Debug;

/// <summary>Issue 13, point 7: the systemd pieces that keep consoles masked unless the daemon unlocked one.</summary>
public sealed class DebugLockdownTests
{
    private static string Deploy(params string[] parts) => Path.Combine([ServiceManifestTests.RepositoryRoot(), "deploy", .. parts]);

    [Fact]
    public void PathUnit_WatchesTheFlagTheDaemonWrites_InADirectoryThatGoesAwayWithTheDaemon()
    {
        using var example = JsonDocument.Parse(File.ReadAllText(Deploy("appsettings.Production.example.json")));
        var flag = example.RootElement.GetProperty("Iris").GetProperty("Debug").GetProperty("UnlockFlagFile").GetString()!;

        Assert.Contains($"PathExists={flag}", File.ReadAllText(Deploy("systemd", "iris-debug-console.path")), StringComparison.Ordinal);
        Assert.Contains($"ConditionPathExists={flag}", File.ReadAllText(Deploy("systemd", "iris-debug-console.service")), StringComparison.Ordinal);
        Assert.Equal("/run/iris", Path.GetDirectoryName(flag));
        Assert.Contains("RuntimeDirectory=iris\n", File.ReadAllText(Deploy("systemd", "iris-camera.service")), StringComparison.Ordinal);
        Assert.Contains("RuntimeDirectory=iris\n", File.ReadAllText(Deploy("systemd", "iris-boot.service")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LockScript_MasksEverySerialAndDebugConsoleInTheImage()
    {
        using var root = new TempDirectory();
        Directory.CreateDirectory(root.Combine("etc", "systemd", "system"));

        using (var lockdown = ChildProcess.StartExecutable("/bin/sh", [Deploy("debug", "lock-debug-services.sh"), root.Path]))
        {
            Assert.Equal(0, await lockdown.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }

        foreach (var unit in new[] { "serial-getty@.service", "console-getty.service", "debug-shell.service", "getty@tty1.service" })
        {
            Assert.Equal("/dev/null", new FileInfo(root.Combine("etc", "systemd", "system", unit)).LinkTarget);
        }
    }

    [Fact]
    public async Task ConsoleScript_OffersNothing_WhenTheFlagIsAbsent()
    {
        Assert.False(File.Exists("/run/iris/debug-unlocked"));
        using var console = ChildProcess.StartExecutable("/bin/sh", [Deploy("debug", "debug-console.sh")]);

        Assert.Equal(0, await console.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }
}
