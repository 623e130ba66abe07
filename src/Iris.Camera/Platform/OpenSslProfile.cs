namespace Iris.Camera.Platform;

/// <summary>
/// Makes sure OpenSSL runs with the Iris TLS profile (key-exchange groups P-256/P-384 only). OpenSSL reads
/// OPENSSL_CONF once, when it is first initialised, so the variable must be in the environment before the
/// process starts. When it is missing, the daemon replaces itself (execve, same PID) with a copy of itself
/// that has it; this holds however the daemon is started (dotnet run, the launcher, systemd).
/// </summary>
internal static class OpenSslProfile
{
    public const string ConfigVariable = "OPENSSL_CONF";
    public const string ProfileRelativePath = "openssl/iris-openssl.cnf";

    /// <summary>Guards against a loop should execve keep the environment from us.</summary>
    public const string AppliedMarkerVariable = "IRIS_OPENSSL_PROFILE_APPLIED";

    public static string DefaultProfilePath => Path.Combine(AppContext.BaseDirectory, ProfileRelativePath);

    /// <summary>
    /// Returns null when the profile is in force (possibly after re-executing); otherwise a reason the daemon
    /// must not start. On success with re-execution this method does not return.
    /// </summary>
    public static string? EnsureApplied()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var configured = Environment.GetEnvironmentVariable(ConfigVariable);
        if (!string.IsNullOrEmpty(configured))
        {
            return File.Exists(configured)
                ? null
                : $"{ConfigVariable} names '{configured}', which does not exist; refusing to start without the TLS profile.";
        }

        if (Environment.GetEnvironmentVariable(AppliedMarkerVariable) is not null)
        {
            return $"{ConfigVariable} was lost across re-execution; refusing to start without the TLS profile.";
        }

        var profile = DefaultProfilePath;
        if (!File.Exists(profile))
        {
            return $"TLS profile '{profile}' is missing from the installation.";
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

        environment.Add($"{ConfigVariable}={profile}");
        environment.Add($"{AppliedMarkerVariable}=1");

        var errno = NativeMethods.ExecuteInPlace("/proc/self/exe", argv, environment);
        return $"Re-executing with the TLS profile failed (errno {errno}).";
    }

    private static List<string> ReadOwnCommandLine()
    {
        var raw = File.ReadAllText("/proc/self/cmdline");
        return [.. raw.Split('\0', StringSplitOptions.None).SkipLast(1)];
    }
}
