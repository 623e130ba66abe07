using System.Net.Sockets;
using System.Text;

namespace Iris.Lab.Auth;

/// <summary>
/// One login attempt on a telnet service: refuses every option the server asks about (so it falls back to plain
/// lines), answers the login and password prompts, and reads what follows. A shell prompt ("# ", "$ ", "> ") is
/// accepted; "incorrect", "failed", "denied", "invalid" or a new login prompt is refused. A shell before any
/// login prompt is accepted with no credentials at all.
/// </summary>
internal static class TelnetLogin
{
    private const byte Iac = 255;
    private const byte Will = 251;
    private const byte Wont = 252;
    private const byte Do = 253;
    private const byte Dont = 254;
    private const byte Sb = 250;
    private const byte Se = 240;

    private static readonly string[] RefusedWords = ["incorrect", "failed", "denied", "invalid", "login:", "username:"];

    public static async Task<LoginOutcome> TryAsync(string host, int port, string username, string password, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            return await LogInAsync(host, port, username, password, timeout, cancellationToken);
        }
        catch (Exception e) when (e is SocketException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // A refused, reset or silent connection is no answer to the credentials: inconclusive, never refused.
            return LoginOutcome.Unexpected;
        }
    }

    private static async Task<LoginOutcome> LogInAsync(string host, int port, string username, string password, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var tcp = new TcpClient();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cancel.CancelAfter(timeout * 4);
        await tcp.ConnectAsync(host, port, cancel.Token);
        var stream = tcp.GetStream();
        var text = await ReadUntilAsync(stream, t => EndsWithPrompt(t, "login:") || EndsWithPrompt(t, "username:") || IsShell(t), timeout, cancel.Token);
        if (IsShell(text))
        {
            return LoginOutcome.Accepted;
        }

        if (!EndsWithPrompt(text, "login:") && !EndsWithPrompt(text, "username:"))
        {
            return LoginOutcome.Unexpected;
        }

        await stream.WriteAsync(Encoding.ASCII.GetBytes(username + "\r\n"), cancel.Token);
        text = await ReadUntilAsync(stream, t => EndsWithPrompt(t, "password:") || IsShell(t), timeout, cancel.Token);
        if (!IsShell(text))
        {
            if (!EndsWithPrompt(text, "password:"))
            {
                return LoginOutcome.Unexpected;
            }

            await stream.WriteAsync(Encoding.ASCII.GetBytes(password + "\r\n"), cancel.Token);
            text = await ReadUntilAsync(stream, t => IsShell(t) || RefusedWords.Any(w => t.Contains(w, StringComparison.OrdinalIgnoreCase)), timeout, cancel.Token);
        }

        if (IsShell(text))
        {
            return LoginOutcome.Accepted;
        }

        return RefusedWords.Any(w => text.Contains(w, StringComparison.OrdinalIgnoreCase)) ? LoginOutcome.Refused : LoginOutcome.Unexpected;
    }

    private static bool EndsWithPrompt(string text, string prompt) => text.TrimEnd().EndsWith(prompt, StringComparison.OrdinalIgnoreCase);

    private static bool IsShell(string text)
    {
        var trimmed = text.TrimEnd('\0');
        return trimmed.EndsWith("# ", StringComparison.Ordinal) || trimmed.EndsWith("$ ", StringComparison.Ordinal) || trimmed.EndsWith("> ", StringComparison.Ordinal);
    }

    /// <summary>Reads printable text (negotiation answered and dropped) until <paramref name="done"/> holds, the server stops, or the timeout.</summary>
    private static async Task<string> ReadUntilAsync(NetworkStream stream, Func<string, bool> done, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        var buffer = new byte[1024];
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(timeout);
        try
        {
            while (!done(text.ToString()))
            {
                var read = await stream.ReadAsync(buffer, wait.Token);
                if (read == 0)
                {
                    break;
                }

                await ParseAsync(stream, buffer.AsMemory(0, read), text, wait.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }

        return text.ToString();
    }

    private static async Task ParseAsync(NetworkStream stream, ReadOnlyMemory<byte> data, StringBuilder text, CancellationToken cancellationToken)
    {
        var bytes = data.ToArray();
        var inSubnegotiation = false;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == Iac && i + 1 < bytes.Length)
            {
                var command = bytes[++i];
                if (command is Will or Wont or Do or Dont && i + 1 < bytes.Length)
                {
                    var option = bytes[++i];
                    if (command is Will or Do)
                    {
                        await stream.WriteAsync(new[] { Iac, command == Will ? Dont : Wont, option }, cancellationToken);
                    }
                }
                else if (command == Sb)
                {
                    inSubnegotiation = true;
                }
                else if (command == Se)
                {
                    inSubnegotiation = false;
                }

                continue;
            }

            if (!inSubnegotiation && bytes[i] is >= 32 and < 127 or (byte)'\n')
            {
                text.Append((char)bytes[i]);
            }
        }
    }
}
