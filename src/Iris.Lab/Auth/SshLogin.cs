using System.Net.Sockets;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace Iris.Lab.Auth;

/// <summary>One password login on an SSH service (password and keyboard-interactive, as an attacker's tool tries both).</summary>
internal static class SshLogin
{
    public static async Task<LoginOutcome> TryAsync(string host, int port, string username, string password, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var interactive = new KeyboardInteractiveAuthenticationMethod(username);
        using var passwordMethod = new PasswordAuthenticationMethod(username, password);
        interactive.AuthenticationPrompt += (_, e) =>
        {
            foreach (var prompt in e.Prompts)
            {
                prompt.Response = password;
            }
        };
        var connection = new ConnectionInfo(host, port, username, passwordMethod, interactive) { Timeout = timeout };
        using var client = new SshClient(connection);
        try
        {
            await client.ConnectAsync(cancellationToken);
            client.Disconnect();
            return LoginOutcome.Accepted;
        }
        catch (SshAuthenticationException)
        {
            return LoginOutcome.Refused;
        }
        catch (Exception e) when (e is SshException or SocketException or IOException or TimeoutException)
        {
            return LoginOutcome.Unexpected;
        }
    }
}
