using System.Text;
using Iris.Camera.Platform;
using Iris.Camera.Storage;

namespace Iris.Camera.Accounts;

/// <summary>Shows the default password to the operator. Tests capture it instead.</summary>
public interface IDefaultPasswordDisplay
{
    void Show(string serial, string defaultPassword);
}

/// <summary>The process's standard output, as a seam: whether a person is watching it, and writing to it.</summary>
public interface IOperatorTerminal
{
    /// <summary>True when standard output is a terminal, not a pipe, file or the journal.</summary>
    bool IsInteractive { get; }

    void Write(string text);
}

internal sealed class ConsoleTerminal : IOperatorTerminal
{
    public bool IsInteractive => !Console.IsOutputRedirected;

    public void Write(string text)
    {
        Console.Out.Write(text);
        Console.Out.Flush();
    }
}

/// <summary>
/// <c>&lt;data-dir&gt;/default-password</c>: where the default password waits for the owner when nobody watches the
/// terminal. Mode 0600, written atomically; deleted once the owner has set a password.
/// </summary>
internal static class DefaultPasswordFile
{
    public const string Name = "default-password";

    public static string PathIn(DataDirectory data) => Path.Combine(data.Root, Name);

    public static void Write(DataDirectory data, string password) =>
        AtomicFile.Write(PathIn(data), Encoding.UTF8.GetBytes(password + "\n"), AtomicFile.OwnerOnly);

    public static void Delete(DataDirectory data) => AtomicFile.DeleteDurably(PathIn(data));
}

/// <summary>
/// Shows the default password on an interactive terminal only, never through logging: under systemd standard
/// output goes to the journal, which is kept and forwarded, so there it is written to
/// <see cref="DefaultPasswordFile"/> instead and the log says where (not what).
/// </summary>
internal sealed partial class DefaultPasswordDisplay(IOperatorTerminal terminal, DataDirectory data, ILogger<DefaultPasswordDisplay> logger) : IDefaultPasswordDisplay
{
    public void Show(string serial, string defaultPassword)
    {
        if (!terminal.IsInteractive)
        {
            DefaultPasswordFile.Write(data, defaultPassword);
            LogWrittenToFile(logger, AccountStore.OwnerUsername, DefaultPasswordFile.PathIn(data));
            return;
        }

        terminal.Write($"""

            ==== Iris camera {serial}: first start ====
            Default password for user '{AccountStore.OwnerUsername}': {defaultPassword}
            It is shown only now. Sign in at the web UI and set your own password; nothing else works until then.
            ==========================================

            """);
    }

    [LoggerMessage(EventId = 2100, Level = LogLevel.Warning,
        Message = "The default password for '{Account}' is in {Path} (readable by this service's user only); it is deleted once the owner sets a password.")]
    private static partial void LogWrittenToFile(ILogger logger, string account, string path);
}
