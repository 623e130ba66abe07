using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Iris.Camera.Tests.Support;

/// <summary>What one `openssl s_client` handshake attempt negotiated, or how it was refused.</summary>
public sealed record HandshakeOutcome(bool Established, string? Protocol, string? Cipher, string? TempKey, string Output)
{
    public bool ServerSentProtocolVersionAlert => Output.Contains("alert protocol version", StringComparison.Ordinal);

    public bool ServerSentHandshakeFailureAlert => Output.Contains("alert handshake failure", StringComparison.Ordinal);
}

/// <summary>
/// Drives Debian's openssl s_client, which (unlike .NET's client) can offer TLS 1.0/1.1, static-RSA and CBC
/// suites and chosen groups, so tests see what the server refuses.
/// </summary>
public static partial class OpenSslClient
{
    public static async Task<HandshakeOutcome> ConnectAsync(int port, params string[] options)
    {
        var start = new ProcessStartInfo("openssl")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "s_client", "-connect", $"127.0.0.1:{port}", "-servername", "localhost" }.Concat(options))
        {
            start.ArgumentList.Add(arg);
        }

        // The client must use OpenSSL's own defaults, not any profile of the test runner's.
        start.Environment.Remove("OPENSSL_CONF");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("openssl did not start");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(cancel.Token);
        var output = await stdout + "\n" + await stderr;

        var session = NewSession().Match(output);
        var established = session.Success && session.Groups["cipher"].Value != "(NONE)";
        var tempKey = TempKey().Match(output);
        return new HandshakeOutcome(
            established,
            established ? session.Groups["protocol"].Value : null,
            established ? session.Groups["cipher"].Value : null,
            tempKey.Success ? tempKey.Groups[1].Value.Trim() : null,
            output);
    }

    [GeneratedRegex(@"^New, (?<protocol>[^,]+), Cipher is (?<cipher>\S+)", RegexOptions.Multiline)]
    private static partial Regex NewSession();

    [GeneratedRegex(@"^Server Temp Key: (.+)$", RegexOptions.Multiline)]
    private static partial Regex TempKey();
}
