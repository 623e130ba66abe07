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

    /// <summary>The default password the daemon left for its owner (its output is not a terminal, so in a file), if any.</summary>
    public string? DefaultPassword =>
        File.Exists(Path.Combine(DataDirectory, "default-password")) ? File.ReadAllText(Path.Combine(DataDirectory, "default-password")).Trim() : null;

    /// <summary>Starts the daemon from a shell that first sets the given file-creation mask (e.g. "022").</summary>
    public static Task<CameraProcess> StartWithUmaskAsync(string dataDirectory, string umask) =>
        StartAsync(
            ChildProcess.StartExecutable("/bin/sh",
                ["-c", $"umask {umask} && exec dotnet \"$@\"", "sh", Path.Combine(AppContext.BaseDirectory, "Iris.Camera.dll"), "--listen", "127.0.0.1:0", "--data-dir", dataDirectory]),
            dataDirectory);

    /// <summary>Starts the daemon through the shipped launcher script, as an installed device does.</summary>
    public static Task<CameraProcess> StartWithLauncherAsync(string dataDirectory) =>
        StartAsync(
            ChildProcess.StartExecutable("/bin/sh", [Path.Combine(AppContext.BaseDirectory, "iris-camera.sh"), "--listen", "127.0.0.1:0", "--data-dir", dataDirectory]),
            dataDirectory);

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

    public void Dispose()
    {
        Client.Dispose();
        Certificate.Dispose();
        Process.Dispose();
    }
}
