using Iris.Camera;
using Iris.Camera.Hosting;
using Iris.Camera.Platform;
using Microsoft.Extensions.Options;

NativeMethods.RestrictNewFilesToOwner();
NativeMethods.LimitMallocArenas();
var profileProblem = LaunchEnvironment.EnsureApplied();
if (profileProblem is not null)
{
    await Console.Error.WriteLineAsync($"iris-camera: {profileProblem}");
    return StartupException.ConfigurationError;
}

// After the re-execution above, so the image that serves is the one that loads it.
SystemTrustStorePreload.Start();

try
{
    await using var app = CameraApp.Build(args);
    await app.RunAsync();
    // 75 when the update agent asked Iris.Boot for a restart into a new slot; otherwise 0.
    return Environment.ExitCode;
}
catch (StartupException ex)
{
    await Console.Error.WriteLineAsync(ex.ExitCode == 0 ? ex.Message : $"iris-camera: {ex.Message}");
    return ex.ExitCode;
}
catch (OptionsValidationException ex)
{
    await Console.Error.WriteLineAsync($"iris-camera: invalid settings: {string.Join("; ", ex.Failures)}");
    return StartupException.ConfigurationError;
}
catch (IOException ex) when (ex.InnerException is System.Net.Sockets.SocketException || ex.Message.Contains("address", StringComparison.OrdinalIgnoreCase))
{
    await Console.Error.WriteLineAsync($"iris-camera: cannot listen: {ex.Message}");
    return StartupException.ConfigurationError;
}
