using Iris.Camera.Platform;
using Iris.Camera.Tests.Support;
using Iris.Camera.Tests.Web;

namespace Iris.Camera.Tests.Hosting;

/// <summary>
/// The TLS group restriction must hold however the daemon is started: by `dotnet run`/the binary (re-exec,
/// covered by TlsPolicyTests), by the shipped launcher, and by the systemd unit (environment set before start).
/// </summary>
public sealed class LaunchPathTests
{
    [Fact]
    public async Task Launcher_SetsTheProfileBeforeStart_SoNoReexecIsNeeded()
    {
        using var data = new TempDirectory();
        using var camera = await CameraProcess.StartWithLauncherAsync(data.Path);

        var environment = await File.ReadAllTextAsync($"/proc/{camera.Process.Id}/environ");
        Assert.Contains(LaunchEnvironment.OpenSslConfigVariable + "=", environment, StringComparison.Ordinal);
        Assert.DoesNotContain(LaunchEnvironment.AppliedMarkerVariable, environment, StringComparison.Ordinal);

        var x25519 = await OpenSslClient.ConnectAsync(camera.Port, "-tls1_3", "-groups", "X25519");
        var p256 = await OpenSslClient.ConnectAsync(camera.Port, "-tls1_3", "-groups", "P-256");
        Assert.False(x25519.Established, x25519.Output);
        Assert.True(p256.Established, p256.Output);
    }

    [Fact]
    public async Task Reexec_KeepsThePidAndArguments()
    {
        using var data = new TempDirectory();
        using var camera = await CameraProcess.StartAsync(data.Path);

        // The spawned PID is the serving PID: systemd and supervisors track the right process.
        var environment = await File.ReadAllTextAsync($"/proc/{camera.Process.Id}/environ");
        var commandLine = (await File.ReadAllTextAsync($"/proc/{camera.Process.Id}/cmdline")).Split('\0');
        Assert.Contains(LaunchEnvironment.AppliedMarkerVariable + "=1", environment, StringComparison.Ordinal);
        Assert.Contains("DOTNET_EnableDiagnostics=0", environment, StringComparison.Ordinal);
        Assert.Contains(data.Path, commandLine);
    }

    [Fact]
    public void SystemdUnit_SetsTheShippedProfileAndNoPlaintextListener()
    {
        var unit = File.ReadAllLines(Path.Combine(ServiceManifestTests.RepositoryRoot(), "deploy", "systemd", "iris-camera.service"));

        var execStart = Assert.Single(unit, l => l.StartsWith("ExecStart=", StringComparison.Ordinal));
        var installDirectory = Path.GetDirectoryName(execStart["ExecStart=".Length..].Split(' ')[0])!;
        Assert.Contains($"Environment={LaunchEnvironment.OpenSslConfigVariable}={installDirectory}/{LaunchEnvironment.ProfileRelativePath}", unit);
        Assert.Contains("Environment=DOTNET_EnableDiagnostics=0", unit);
        Assert.Contains("--listen 0.0.0.0:443", execStart, StringComparison.Ordinal);
        Assert.DoesNotContain(unit, l => l.Contains("http://", StringComparison.OrdinalIgnoreCase));
    }
}
