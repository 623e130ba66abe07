namespace Iris.Camera.Platform;

/// <summary>
/// Security settings that only take effect when they are in the environment before the process starts:
/// <list type="bullet">
/// <item>OPENSSL_CONF, the Iris TLS profile (key-exchange groups P-256/P-384 only). OpenSSL reads it once, when
/// it is first initialised.</item>
/// <item>DOTNET_EnableDiagnostics=0, which keeps the .NET runtime from opening its diagnostics socket (a debug
/// interface, 5.5.1.1). An operator who sets it explicitly keeps their value.</item>
/// </list>
/// When something is missing, the daemon replaces itself (execve, same PID) with a copy of itself that has it,
/// so this holds however the daemon is started (dotnet run, the launcher, systemd).
/// </summary>
internal static class LaunchEnvironment
{
    public const string OpenSslConfigVariable = "OPENSSL_CONF";
    public const string DiagnosticsVariable = "DOTNET_EnableDiagnostics";
    public const string ProfileRelativePath = "openssl/iris-openssl.cnf";

    /// <summary>Guards against a loop should execve keep the environment from us.</summary>
    public const string AppliedMarkerVariable = "IRIS_LAUNCH_ENVIRONMENT_APPLIED";

    public static string DefaultProfilePath => Path.Combine(AppContext.BaseDirectory, ProfileRelativePath);

    /// <summary>True when OpenSSL was started with the shipped Iris profile.</summary>
    public static bool IsOpenSslProfileApplied =>
        Environment.GetEnvironmentVariable(OpenSslConfigVariable) is { Length: > 0 } configured && IsShippedProfile(configured);

    /// <summary>
    /// Returns null when the environment is in force; otherwise the reason the daemon must not start.
    /// When it re-executes successfully this method does not return.
    /// </summary>
    public static string? EnsureApplied()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var configured = Environment.GetEnvironmentVariable(OpenSslConfigVariable);
        if (!string.IsNullOrEmpty(configured) && !IsShippedProfile(configured))
        {
            // Another OpenSSL configuration would silently change the groups and suites every TLS context allows.
            return $"{OpenSslConfigVariable} names '{configured}', but the daemon runs only with its TLS profile " +
                $"'{DefaultProfilePath}'. Unset {OpenSslConfigVariable} or point it there.";
        }

        var missing = new List<string>();
        if (string.IsNullOrEmpty(configured))
        {
            var profile = DefaultProfilePath;
            if (!File.Exists(profile))
            {
                return $"TLS profile '{profile}' is missing from the installation.";
            }

            missing.Add($"{OpenSslConfigVariable}={profile}");
        }

        if (Environment.GetEnvironmentVariable(DiagnosticsVariable) is null)
        {
            missing.Add($"{DiagnosticsVariable}=0");
        }

        if (missing.Count == 0)
        {
            if (Environment.GetEnvironmentVariable(AppliedMarkerVariable) is not null)
            {
                RemoveFirstImageDiagnosticsSocket();
            }

            return null;
        }

        if (Environment.GetEnvironmentVariable(AppliedMarkerVariable) is not null)
        {
            return "The launch environment was lost across re-execution; refusing to start without the TLS profile.";
        }

        var argv = ReadOwnCommandLine();
        if (argv.Count == 0)
        {
            return "Cannot read /proc/self/cmdline to re-execute with the TLS profile.";
        }

        var environment = new List<string>();
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            environment.Add($"{entry.Key}={entry.Value}");
        }

        environment.AddRange(missing);
        environment.Add($"{AppliedMarkerVariable}=1");

        var errno = NativeMethods.ExecuteInPlace("/proc/self/exe", argv, environment);
        return $"Re-executing with the TLS profile failed (errno {errno}).";
    }

    /// <summary>
    /// The runtime of the first image opened its diagnostics socket before Main ran; execve closed it, but the
    /// socket file stays in the temporary directory. Remove it, unless diagnostics are on in this image.
    /// </summary>
    private static void RemoveFirstImageDiagnosticsSocket()
    {
        if (Environment.GetEnvironmentVariable(DiagnosticsVariable) != "0")
        {
            return;
        }

        foreach (var stale in Directory.EnumerateFiles(Path.GetTempPath(), $"dotnet-diagnostic-{Environment.ProcessId}-*-socket"))
        {
            try
            {
                File.Delete(stale);
            }
            catch (IOException)
            {
                // Another process's leftover or already gone: nothing listens on it either way.
            }
        }
    }

    private static bool IsShippedProfile(string path)
    {
        try
        {
            return File.Exists(path) && string.Equals(Canonical(path), Canonical(DefaultProfilePath), StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }

        static string Canonical(string file) =>
            new FileInfo(file).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(file);
    }

    private static List<string> ReadOwnCommandLine()
    {
        var raw = File.ReadAllText("/proc/self/cmdline");
        return [.. raw.Split('\0', StringSplitOptions.None).SkipLast(1)];
    }
}
