using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Iris.Camera.Tests.Support;

/// <summary>
/// The whole device as systemd runs it: Iris.Boot (a real child process) starting the camera daemon from a
/// slot of a boot directory. The daemon's output reaches the same captured stdout.
/// </summary>
public sealed class BootedCamera : IDisposable
{
    private BootedCamera(ChildProcess process, string bootDirectory, string dataDirectory, int port)
    {
        Process = process;
        BootDirectory = bootDirectory;
        DataDirectory = dataDirectory;
        BaseAddress = new Uri($"https://127.0.0.1:{port}/");
    }

    public ChildProcess Process { get; }

    public string BootDirectory { get; }

    public string DataDirectory { get; }

    public Uri BaseAddress { get; }

    public X509Certificate2 Certificate => PinnedHttpClient.ReadDeviceCertificate(DataDirectory);

    public string? DefaultPassword =>
        File.Exists(Path.Combine(DataDirectory, "default-password")) ? File.ReadAllText(Path.Combine(DataDirectory, "default-password")).Trim() : null;

    /// <summary>Starts Iris.Boot with the camera listening on a fixed port, so its address survives restarts.</summary>
    public static async Task<BootedCamera> StartAsync(string bootDirectory, string dataDirectory, int port, IDictionary<string, string?> settings, int healthTimeoutSeconds = 60)
    {
        var camera = Launch(bootDirectory, dataDirectory, port, settings, healthTimeoutSeconds);
        try
        {
            await camera.WaitForListeningAsync(1);
            return camera;
        }
        catch
        {
            camera.Dispose();
            throw;
        }
    }

    /// <summary>Starts Iris.Boot without waiting for a daemon to listen (the slot it chooses may never do so).</summary>
    public static BootedCamera Launch(string bootDirectory, string dataDirectory, int port, IDictionary<string, string?> settings, int healthTimeoutSeconds = 60)
    {
        var environment = settings.Where(s => s.Value is not null).ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!);
        environment["Iris__Accounts__PasswordIterations"] = "1000";
        var process = ChildProcess.Start("Iris.Boot",
            ["run", "--boot-dir", bootDirectory, "--health-timeout", healthTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
             "--", "--listen", $"127.0.0.1:{port}", "--data-dir", dataDirectory],
            environment);
        return new BootedCamera(process, bootDirectory, dataDirectory, port);
    }

    /// <summary>Waits until the daemon has announced its address for the <paramref name="nth"/> time (1 = first start).</summary>
    public Task WaitForListeningAsync(int nth, int seconds = 90) => WaitForOutputAsync("Now listening on: ", nth, seconds);

    public async Task WaitForOutputAsync(string marker, int nth = 1, int seconds = 90)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (Count(marker) < nth)
        {
            if (Process.HasExited)
            {
                throw new InvalidOperationException($"Iris.Boot exited while waiting for '{marker}':\n{Process.StandardOutput}\n{Process.StandardError}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"'{marker}' (#{nth}) did not appear:\n{Process.StandardOutput}\n{Process.StandardError}");
            }

            await Task.Delay(100);
        }
    }

    public int Count(string marker) =>
        (Process.StandardOutput + "\n" + Process.StandardError).Split('\n').Count(l => l.Contains(marker, StringComparison.Ordinal));

    public Task<SignedInClient> SignInAsync(string password = InProcessCamera.OwnerPassword) =>
        CameraSessions.SignInAsync(BaseAddress, Certificate, "admin", password);

    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public void Dispose() => Process.Dispose();
}
