using System.Text.RegularExpressions;

namespace Iris.Factory.Gate;

/// <summary>Turns a match into a finding (stops the release), a review item (listed), or nothing (allowed).</summary>
internal static class RuleJudge
{
    /// <summary>Schemes whose traffic is readable on the wire; http is left out because XML namespaces and documentation links use it as a name.</summary>
    private static readonly HashSet<string> PlaintextSchemes = new(StringComparer.Ordinal)
    {
        "telnet", "ftp", "tftp", "mqtt", "coap", "rtsp", "ws", "ldap", "smtp", "pop3", "imap", "nntp", "rlogin", "rsh", "amqp", "redis", "sip", "gopher",
    };

    /// <summary>Values that name where a secret comes from instead of being one.</summary>
    private static readonly string[] PlaceholderStarts = ["${", "$(", "%", "<", "{{", "env:", "ENV[", "os.environ", "null", "None", "\"\"", "''", "*"];

    public static void Judge(GateRule rule, string match, string name, HostAllowList hosts, Action<string> finding, Action<string> review) =>
        Judge(rule, match, name, hosts, finding, review, binary: false, managedAssembly: false);

    /// <param name="binary">The match is in binary content, where "http://" before a word is no address unless the word is a number.</param>
    /// <param name="managedAssembly">The match is inside a .NET assembly, where the allow list's <c>managed:</c> hosts name XML namespaces and schema URIs.</param>
    public static void Judge(GateRule rule, string match, string name, HostAllowList hosts, Action<string> finding, Action<string> review, bool binary, bool managedAssembly)
    {
        switch (rule)
        {
            case GateRule.PemPrivateKey:
            case GateRule.DerPrivateKey:
                finding($"{name}: contains a private key");
                break;
            case GateRule.DerKeyStore:
                finding($"{name}: contains a key store (PKCS#12 or Java)");
                break;
            case GateRule.PasswordHash:
                finding($"{name}: password hash ({match[..(match.IndexOf('$', 1) + 1)]} crypt)");
                break;
            case GateRule.DesCryptShadowLine:
                finding($"{name}: password hash (DES crypt) for {match[..match.IndexOf(':', StringComparison.Ordinal)]}");
                break;
            case GateRule.Ipv4:
            case GateRule.Ipv4InBinary:
                if (match is not ("0.0.0.0" or "127.0.0.1" or "255.255.255.255") && !IsSectionNumber(match))
                {
                    finding($"{name}: IP address {match}");
                }

                break;
            case GateRule.JsonCredential:
                finding($"{name}: credential in settings ({GateRules.JsonCredential().Match(match).Groups["name"].Value})");
                break;
            case GateRule.Base64PemPrivateKey:
                if (IsBase64PrivateKey(match))
                {
                    finding($"{name}: contains a private key (PEM in base64)");
                }

                break;
            case GateRule.AssignedCredential:
            case GateRule.ConnectionStringCredential:
            case GateRule.XmlCredential:
            case GateRule.NetrcPassword:
                var assigned = GateRules.For(rule).Match(match);
                if (!IsPlaceholder(assigned.Groups["value"].Value.Trim().Trim('"', '\'')))
                {
                    finding($"{name}: credential in settings ({assigned.Groups["name"].Value})");
                }

                break;
            case GateRule.PlaintextService:
                finding($"{name}: plaintext protocol service ({GateRules.PlaintextService().Match(match).Groups["service"].Value} in inetd)");
                break;
            case GateRule.HighEntropyToken:
                if (IsHighEntropy(match))
                {
                    review($"{name}: high-entropy string of unknown type ({match.Length} characters, starts {match[..8]}…)");
                }

                break;
            default:
                JudgeUrl(GateRules.Url().Match(match), name, hosts, finding, binary, managedAssembly);
                break;
        }
    }

    /// <summary>Shannon entropy in bits per byte of a byte histogram, against the most the sample could have.</summary>
    public static double EntropyRatio(ReadOnlySpan<long> histogram, long total)
    {
        if (total < 16)
        {
            return 0;
        }

        var entropy = 0.0;
        foreach (var count in histogram)
        {
            if (count > 0)
            {
                var p = (double)count / total;
                entropy -= p * Math.Log2(p);
            }
        }

        return entropy / Math.Log2(Math.Min(256, total));
    }

    private static void JudgeUrl(Match url, string name, HostAllowList hosts, Action<string> finding, bool binary, bool managedAssembly)
    {
        // Bytes glued in front of a known scheme (a length byte, the end of the string before) are not part of it.
        var written = url.Groups["scheme"].Value;
        var schemeWritten = GateRules.KnownSchemeAtEnd().Match(written) is { Success: true } known ? known.Value : written;
        var scheme = schemeWritten.ToLowerInvariant();
        var hostWritten = url.Groups["host"].Value.TrimEnd('.');
        var host = HostAllowList.Normalise(hostWritten);
        var shown = $"{schemeWritten}://{hostWritten}";
        if (url.Groups["userinfo"].Success)
        {
            // The user information is not repeated: it may be the password.
            finding($"{name}: URL with credentials {schemeWritten}://…@{hostWritten}");
        }

        if (PlaintextSchemes.Contains(scheme))
        {
            finding($"{name}: plaintext protocol {shown}");
        }

        // A host of one label ("http://nas/", "http://3232235777/" is 192.168.1.1, "http://0xC0A80101/") is an
        // endpoint in text. In a binary, words from a dictionary or a string table follow "http://" ("http://style"
        // in Brotli's built-in dictionary), so there only a number is an address.
        var oneLabel = !host.StartsWith('[') && !host.Contains('.', StringComparison.Ordinal);
        if (oneLabel && binary && !IsNumericHost(host))
        {
            return;
        }

        if (!IsThisDevice(host) && !IsNoHostName(host) && !hosts.Allows(host) && !(managedAssembly && hosts.AllowsInManagedAssembly(host)))
        {
            finding($"{name}: undeclared endpoint {shown}");
        }
    }

    /// <summary>The loopback and "any" addresses: what a server binds to or the device itself, never a host it connects out to.</summary>
    private static bool IsThisDevice(string host) =>
        host is "localhost" or "127.0.0.1" or "0.0.0.0" or "[::]" or "[::1]";

    /// <summary>
    /// "www." and one more label ("http://www.years", "https://www.World" in Brotli's built-in dictionary of
    /// words, RFC 7932 appendix A) is no host name: "www" is a label under a registered domain, never a domain.
    /// </summary>
    private static bool IsNoHostName(string host) =>
        host.StartsWith('-') || (host.StartsWith("www.", StringComparison.Ordinal) && host.IndexOf('.', 4) < 0);

    /// <summary>
    /// An IPv4 address written as one number, decimal or hex ("3232235777", "0xc0a80101" are 192.168.1.1). Below
    /// 2^24 it would be in 0.0.0.0/8, "this network", never a host to connect to ("http://7" is a string table).
    /// </summary>
    private static bool IsNumericHost(string host)
    {
        var parsed = host.StartsWith("0x", StringComparison.Ordinal)
            ? ulong.TryParse(host.AsSpan(2), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out var value)
            : ulong.TryParse(host, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value);
        return parsed && value is >= 1 << 24 and <= uint.MaxValue;
    }

    /// <summary>
    /// "5.4.2.1" is a requirement section or a version, not an address: four single digits that are not all the same
    /// (addresses written that way, 1.1.1.1, 8.8.8.8, 9.9.9.9, the public resolvers, are one digit repeated). A last
    /// part of 0 (3.119.4.0) names a network or a file version, never a host a device connects to.
    /// </summary>
    private static bool IsSectionNumber(string address) =>
        address.EndsWith(".0", StringComparison.Ordinal) || (address.Length == 7 && address.Split('.') is var parts && parts.Any(p => p != parts[0]));

    /// <summary>Whether the base64 text, decoded as far as it is whole, starts a PEM private key block.</summary>
    private static bool IsBase64PrivateKey(string base64)
    {
        var whole = base64[..(base64.Length / 4 * 4)];
        Span<byte> decoded = stackalloc byte[whole.Length / 4 * 3];
        return Convert.TryFromBase64String(whole, decoded, out var written)
            && GateRules.PemPrivateKey().IsMatch(System.Text.Encoding.Latin1.GetString(decoded[..written]));
    }

    private static bool IsPlaceholder(string value) =>
        value.Length == 0 || value is "true" or "false" || PlaceholderStarts.Any(p => value.StartsWith(p, StringComparison.OrdinalIgnoreCase));

    private static bool IsHighEntropy(string token)
    {
        Span<long> histogram = stackalloc long[256];
        foreach (var c in token)
        {
            histogram[c & 0xFF]++;
        }

        var distinct = 0;
        foreach (var count in histogram)
        {
            distinct += count > 0 ? 1 : 0;
        }

        // Random base64 of 32+ characters uses most of its alphabet; identifiers and repeated padding do not.
        var isHex = token.All(char.IsAsciiHexDigit);
        return isHex ? distinct >= 14 && token.Length >= 40 : EntropyRatio(histogram, token.Length) >= 0.85 && distinct >= 20
            && token.Any(char.IsAsciiDigit) && token.Any(char.IsAsciiLetterUpper) && token.Any(char.IsAsciiLetterLower);
    }
}
