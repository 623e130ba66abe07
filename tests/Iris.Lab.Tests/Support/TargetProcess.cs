using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Iris.Lab.Tests.Support;

/// <summary>
/// A real server the lab audits (openssl s_server, nginx...), started on a free loopback port and killed (with its
/// process group's members it started) when the test ends. Output is kept for failure messages.
/// </summary>
internal sealed class TargetProcess : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    private TargetProcess(Process process, int port)
    {
        this.process = process;
        Port = port;
    }

    public int Port { get; }

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

    /// <summary>A TCP port free on 127.0.0.1 now (the kernel picks it; the server binds it right after).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts <paramref name="program"/>; <paramref name="args"/> gets the port to listen on (a free one unless given). Returns once it accepts TCP.</summary>
    public static async Task<TargetProcess> StartAsync(string program, Func<int, IEnumerable<string>> args, string? workingDirectory = null, int? port = null)
    {
        var listenOn = port ?? FreePort();
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var arg in args(listenOn))
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("OPENSSL_CONF");
        var process = new Process { StartInfo = start };
        var target = new TargetProcess(process, listenOn);
        process.OutputDataReceived += (_, e) => target.Append(e.Data);
        process.ErrorDataReceived += (_, e) => target.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{program} exited with {process.ExitCode}: {target.Output}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, listenOn);
                return target;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        target.Dispose();
        throw new TimeoutException($"{program} did not listen on {listenOn}: {target.Output}");
    }

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }
}
