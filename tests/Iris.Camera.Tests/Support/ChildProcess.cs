using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Iris.Camera.Tests.Support;

/// <summary>
/// A .NET program of this solution run as a real child process (dotnet NAME.dll ARGS), with its output captured,
/// so tests can observe exit codes and messages, send SIGKILL, and inspect its sockets in /proc.
/// </summary>
public sealed partial class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Lock _lock = new();
    private bool _disposed;
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Done)> _waiters = [];

    private ChildProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string StandardOutput { get { lock (_lock) { return _stdout.ToString(); } } }

    public string StandardError { get { lock (_lock) { return _stderr.ToString(); } } }

    /// <summary>
    /// The camera daemon binary the process-level tests run instead of <c>dotnet Iris.Camera.dll</c>, when set
    /// (issue 18: <c>scripts/test.sh</c> points it at the Native AOT build, so the same tests cover that build).
    /// </summary>
    public const string DaemonBinaryVariable = "IRIS_DAEMON_BINARY";

    /// <summary>The daemon binary from <see cref="DaemonBinaryVariable"/>, or null to run Iris.Camera.dll with dotnet.</summary>
    public static string? DaemonBinary => Environment.GetEnvironmentVariable(DaemonBinaryVariable) is { Length: > 0 } path ? path : null;

    /// <summary>The Iris.Boot binary the process-level tests run instead of <c>dotnet Iris.Boot.dll</c>, when set (the Native AOT build, with <see cref="DaemonBinaryVariable"/>).</summary>
    public const string BootBinaryVariable = "IRIS_BOOT_BINARY";

    /// <summary>The Iris.Boot binary from <see cref="BootBinaryVariable"/>, or null to run Iris.Boot.dll with dotnet.</summary>
    public static string? BootBinary => Environment.GetEnvironmentVariable(BootBinaryVariable) is { Length: > 0 } path ? path : null;

    /// <summary>
    /// Starts AppContext.BaseDirectory/ASSEMBLY.dll (the daemon: <see cref="DaemonBinary"/> when set; Iris.Boot:
    /// <see cref="BootBinary"/> when set); the environment has no OPENSSL_CONF of the test runner's.
    /// </summary>
    public static ChildProcess Start(string assembly, IEnumerable<string> args, IDictionary<string, string>? environment = null) =>
        (assembly switch { "Iris.Camera" => DaemonBinary, "Iris.Boot" => BootBinary, _ => null }) is { } binary
            ? StartExecutable(binary, args, environment)
            : StartExecutable("dotnet", [Path.Combine(AppContext.BaseDirectory, assembly + ".dll"), .. args], environment);

    /// <summary>Starts any program, with the same clean environment as <see cref="Start"/>.</summary>
    public static ChildProcess StartExecutable(string executable, IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("OPENSSL_CONF");
        start.Environment.Remove("IRIS_LAUNCH_ENVIRONMENT_APPLIED");
        start.Environment.Remove("DOTNET_EnableDiagnostics");
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var child = new ChildProcess(new Process { StartInfo = start, EnableRaisingEvents = true });
        child._process.OutputDataReceived += (_, e) => child.Append(child._stdout, e.Data);
        child._process.ErrorDataReceived += (_, e) => child.Append(child._stderr, e.Data);
        child._process.Start();
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits for an output line (stdout or stderr) that matches, failing early if the process exits.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var done = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            var existing = (_stdout + "\n" + _stderr).Split('\n').FirstOrDefault(match);
            if (existing is not null)
            {
                return existing;
            }

            _waiters.Add((match, done));
        }

        var exited = _process.WaitForExitAsync();
        var timer = Task.Delay(timeout);
        var first = await Task.WhenAny(done.Task, exited, timer);
        if (first == done.Task)
        {
            return await done.Task;
        }

        // Output lines may still be in flight when the exit is observed.
        await Task.WhenAny(done.Task, Task.Delay(TimeSpan.FromSeconds(1)));
        if (done.Task.IsCompleted)
        {
            return await done.Task;
        }

        throw new TimeoutException(
            $"{(first == exited ? "Process exited" : "Timed out")} before the expected line.\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}");
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    /// <summary>Writes a line to the child's standard input.</summary>
    public void WriteLine(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    /// <summary>Sends SIGTERM, as systemd does to stop a service in an orderly way.</summary>
    public void Terminate()
    {
        if (!_process.HasExited && SendSignal(_process.Id, 15) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public void Kill()
    {
        if (!_process.HasExited)
        {
            // Process.Kill sends SIGKILL on Linux: no shutdown code runs, as in a power cut of the process.
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Kill();
        _process.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);

    private void Append(StringBuilder target, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lock)
        {
            target.AppendLine(line);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(line))
                {
                    _waiters[i].Done.TrySetResult(line);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }
}
