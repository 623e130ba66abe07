namespace Iris.Camera.Platform;

/// <summary>
/// A condition that must stop the daemon before it serves anything (unusable data directory, damaged identity,
/// database from a newer version, invalid settings). Program prints the message and exits with <see cref="ExitCode"/>.
/// </summary>
public sealed class StartupException : Exception
{
    public const int ConfigurationError = 78;  // EX_CONFIG
    public const int DataError = 65;           // EX_DATAERR
    public const int UsageError = 64;          // EX_USAGE

    public StartupException(string message, int exitCode = DataError)
        : base(message) => ExitCode = exitCode;

    public StartupException(string message, Exception inner, int exitCode = DataError)
        : base(message, inner) => ExitCode = exitCode;

    public StartupException()
        : this("The daemon cannot start.")
    {
    }

    public StartupException(string message)
        : this(message, DataError)
    {
    }

    public StartupException(string message, Exception inner)
        : this(message, inner, DataError)
    {
    }

    public int ExitCode { get; }
}
