using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Iris.Camera.Tests.Support;

/// <summary>The camera daemon as a separate process, started the way an owner starts it.</summary>
public sealed class CameraProcess : IDisposable
{
    private const string ListeningMarker = "Now listening on: ";

    private CameraProcess(ChildProcess process, Uri baseAddress, string dataDirectory)
    {
        Process = process;
        BaseAddress = baseAddress;
        DataDirectory = dataDirectory;
        Certificate = PinnedHttpClient.ReadDeviceCertificate(dataDirectory);
        Client = PinnedHttpClient.Create(baseAddress, Certificate);
    }

    public ChildProcess Process { get; }

    public Uri BaseAddress { get; }

    public string DataDirectory { get; }

    public X509Certificate2 Certificate { get; }

    public HttpClient Client { get; }

    public int Port => BaseAddress.Port;

    public static Task<CameraProcess> StartAsync(string dataDirectory, string listen = "127.0.0.1:0", IDictionary<string, string>? environment = null) =>
        StartAsync(ChildProcess.Start("Iris.Camera", ["--listen", listen, "--data-dir", dataDirectory], environment), dataDirectory);

    /// <summary>
    /// Starts the daemon told to listen on a real port (not 0), for tests that compare what it declares with
    /// what it listens on. The port is probed free first; another process may take it before the daemon binds,
    /// and the daemon then refuses to start ("cannot listen"), so that case alone is retried on a fresh port.
    /// </summary>
    public static async Task<CameraProcess> StartOnProbedPortAsync(string dataDirectory)
    {
        const int Attempts = 5;
        for (var attempt = 1; ; attempt++)
        {
            var listen = $"127.0.0.1:{FreePort()}";
            try
            {
                return await StartAsync(dataDirectory, listen);
            }
            catch (TimeoutException ex) when (attempt < Attempts && LostThePort(ex.Message, listen))
            {
                // Lost the race for the port; the daemon exited without serving anything.
            }
        }
    }

    /// <summary>The default password the daemon left for its owner (its output is not a terminal, so in a file), if any.</summary>
    public string? DefaultPassword =>
        File.Exists(Path.Combine(DataDirectory, "default-password")) ? File.ReadAllText(Path.Combine(DataDirectory, "default-password")).Trim() : null;

    /// <summary>Starts the daemon from a shell that first sets the given file-creation mask (e.g. "022").</summary>
    public static Task<CameraProcess> StartWithUmaskAsync(string dataDirectory, string umask) =>
        StartAsync(
            ChildProcess.StartExecutable("/bin/sh",
                ["-c", $"umask {umask} && exec \"$@\"", "sh", .. DaemonCommand, "--listen", "127.0.0.1:0", "--data-dir", dataDirectory]),
            dataDirectory);

    /// <summary>The command that runs the daemon: the binary under test (<see cref="ChildProcess.DaemonBinary"/>) or dotnet Iris.Camera.dll.</summary>
    private static string[] DaemonCommand =>
        ChildProcess.DaemonBinary is { } daemon ? [daemon] : ["dotnet", Path.Combine(AppContext.BaseDirectory, "Iris.Camera.dll")];

    /// <summary>
    /// Starts the daemon through the shipped launcher script, as an installed device does: the one published next
    /// to the binary under test (the AOT build's own when <see cref="ChildProcess.DaemonBinary"/> is set).
    /// </summary>
    public static Task<CameraProcess> StartWithLauncherAsync(string dataDirectory) =>
        StartAsync(
            ChildProcess.StartExecutable("/bin/sh", [Path.Combine(DaemonDirectory, "iris-camera.sh"), "--listen", "127.0.0.1:0", "--data-dir", dataDirectory]),
            dataDirectory);

    private static string DaemonDirectory =>
        ChildProcess.DaemonBinary is { } daemon ? Path.GetDirectoryName(Path.GetFullPath(daemon))! : AppContext.BaseDirectory;

    private static async Task<CameraProcess> StartAsync(ChildProcess process, string dataDirectory)
    {
        try
        {
            var line = await process.WaitForLineAsync(l => l.Contains(ListeningMarker, StringComparison.Ordinal), TimeSpan.FromSeconds(60));
            var address = line[(line.IndexOf(ListeningMarker, StringComparison.Ordinal) + ListeningMarker.Length)..].Trim();
            return new CameraProcess(process, new Uri(address), dataDirectory);
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    private static bool LostThePort(string failure, string listen) =>
        failure.Contains("iris-camera: cannot listen:", StringComparison.Ordinal)
        && failure.Contains(listen, StringComparison.Ordinal)
        && failure.Contains("address already in use", StringComparison.Ordinal);

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        Client.Dispose();
        Certificate.Dispose();
        Process.Dispose();
    }
}
