using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Iris.Lab.Tests.Support;

/// <summary>
/// The Iris camera daemon as a real process (dotnet Iris.Camera.dll, built beside these tests), started the way
/// an owner starts it: production environment, its own OpenSSL profile, a fresh data directory.
/// </summary>
internal sealed class IrisCamera : IDisposable
{
    private const string ListeningMarker = "Now listening on: ";
    private readonly Process process;
    private readonly StringBuilder output = new();

    private IrisCamera(Process process, string dataDirectory)
    {
        this.process = process;
        DataDirectory = dataDirectory;
    }

    public string DataDirectory { get; }

    public Uri BaseAddress { get; private set; } = new("https://127.0.0.1/");

    /// <summary>Starts the daemon; <paramref name="settings"/> are given as IRIS__ environment variables (e.g. "Cloud:BrokerHost").</summary>
    public static async Task<IrisCamera> StartAsync(string listen, string dataDirectory, IReadOnlyDictionary<string, string>? settings = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "Iris.Camera.dll"), "--listen", listen, "--data-dir", dataDirectory })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("OPENSSL_CONF");
        start.Environment.Remove("IRIS_LAUNCH_ENVIRONMENT_APPLIED");
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment["IRIS__" + key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var camera = new IrisCamera(new Process { StartInfo = start }, dataDirectory);
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (camera.output)
            {
                camera.output.AppendLine(line);
            }

            var at = line.IndexOf(ListeningMarker, StringComparison.Ordinal);
            if (at >= 0)
            {
                listening.TrySetResult(line[(at + ListeningMarker.Length)..].Trim());
            }
        }

        camera.process.OutputDataReceived += (_, e) => OnLine(e.Data);
        camera.process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        camera.process.Start();
        camera.process.BeginOutputReadLine();
        camera.process.BeginErrorReadLine();
        try
        {
            camera.BaseAddress = new Uri(await listening.Task.WaitAsync(TimeSpan.FromSeconds(90)));
            return camera;
        }
        catch (TimeoutException)
        {
            var log = camera.Output;
            camera.Dispose();
            throw new TimeoutException($"The camera did not start: {log}");
        }
    }

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>Reads a document from the camera, trusting exactly the device certificate in its data directory.</summary>
    public async Task<string> GetAsync(string path)
    {
        using var expected = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(DataDirectory, "identity", "device-cert.pem")));
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate is not null && certificate.RawData.AsSpan().SequenceEqual(expected.RawData),
        };
        using var client = new HttpClient(handler) { BaseAddress = BaseAddress };
        return await client.GetStringAsync(new Uri(path, UriKind.Relative));
    }

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        process.Dispose();
    }
}
