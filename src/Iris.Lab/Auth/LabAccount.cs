namespace Iris.Lab.Auth;

/// <summary>
/// The account the vendor gives the lab (<c>--account FILE</c>, one line USER:PASSWORD): a real sign-in to capture
/// and replay (5.1.1.3). Read from a file, not the command line, so the password is not in the process list; it
/// never appears in a report.
/// </summary>
internal sealed class LabAccount(string username, string password)
{
    public string Username { get; } = username;

    public string Password { get; } = password;

    public static LabAccount Load(string path)
    {
        var line = File.ReadLines(path).FirstOrDefault(l => l.Length > 0) ?? "";
        var colon = line.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            throw new InvalidDataException($"{path} must hold one line USER:PASSWORD.");
        }

        return new LabAccount(line[..colon], line[(colon + 1)..].TrimEnd('\r'));
    }

    public override string ToString() => Username;
}
