using System.Security.Cryptography.X509Certificates;

namespace Iris.Camera.Tests.Support;

/// <summary>
/// The whole device as systemd runs it: Iris.Boot (a real child process) starting the camera daemon from a
/// slot of a boot directory. The daemon's output reaches the same captured stdout.
/// </summary>
public sealed class BootedCamera : IDisposable
{
    private const string ListeningMarker = "Now listening on: ";

    private BootedCamera(ChildProcess process, string bootDirectory, string dataDirectory)
    {
        Process = process;
        BootDirectory = bootDirectory;
        DataDirectory = dataDirectory;
    }

    public ChildProcess Process { get; }

    public string BootDirectory { get; }

    public string DataDirectory { get; }

    /// <summary>
    /// The address the running daemon announced last. Each daemon start (a restart into another slot, a
    /// rollback) listens on a port of its own choosing, so wait for its announcement before using this.
    /// </summary>
    public Uri BaseAddress =>
        (Process.StandardOutput + "\n" + Process.StandardError).Split('\n')
            .Where(l => l.Contains(ListeningMarker, StringComparison.Ordinal))
            .Select(l => new Uri(l[(l.IndexOf(ListeningMarker, StringComparison.Ordinal) + ListeningMarker.Length)..].Trim()))
            .LastOrDefault()
        ?? throw new InvalidOperationException("the daemon has not announced an address yet");

    public X509Certificate2 Certificate => PinnedHttpClient.ReadDeviceCertificate(DataDirectory);

    public string? DefaultPassword =>
        File.Exists(Path.Combine(DataDirectory, "default-password")) ? File.ReadAllText(Path.Combine(DataDirectory, "default-password")).Trim() : null;

    /// <summary>Starts Iris.Boot and waits until its daemon listens.</summary>
    public static async Task<BootedCamera> StartAsync(string bootDirectory, string dataDirectory, IDictionary<string, string?> settings, int healthTimeoutSeconds = 60)
    {
        var camera = Launch(bootDirectory, dataDirectory, settings, healthTimeoutSeconds);
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

    /// <summary>
    /// Starts Iris.Boot without waiting for a daemon to listen (the slot it chooses may never do so). The daemon
    /// listens on a port the system picks when it binds: a port probed beforehand could be taken by then.
    /// </summary>
    public static BootedCamera Launch(string bootDirectory, string dataDirectory, IDictionary<string, string?> settings, int healthTimeoutSeconds = 60)
    {
        var environment = settings.Where(s => s.Value is not null).ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!);
        environment["Iris__Accounts__PasswordIterations"] = "1000";
        var process = ChildProcess.Start("Iris.Boot",
            ["run", "--boot-dir", bootDirectory, "--health-timeout", healthTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
             "--", "--listen", "127.0.0.1:0", "--data-dir", dataDirectory],
            environment);
        return new BootedCamera(process, bootDirectory, dataDirectory);
    }

    /// <summary>Waits until the daemon has announced its address for the <paramref name="nth"/> time (1 = first start).</summary>
    public Task WaitForListeningAsync(int nth, int seconds = 90) => WaitForOutputAsync(ListeningMarker, nth, seconds);

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

    public void Dispose() => Process.Dispose();
}
