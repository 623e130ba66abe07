using System.Text;
using System.Text.RegularExpressions;

namespace Iris.Factory;

/// <summary>
/// The release gate (IoT-1005-1 5.4.1.1, second branch): before a directory is published, every file is scanned
/// for secrets (private keys, key stores, credentials in settings files) and for network endpoints that are not
/// on the allow list (URLs in any file, in UTF-8 or UTF-16 as .NET stores strings; IP addresses in text files).
/// A finding stops the release; it is fixed in the build, never waved through.
/// </summary>
internal static partial class ReleaseGate
{
    private static readonly string[] TextExtensions = [".json", ".cnf", ".conf", ".sh", ".html", ".js", ".css", ".txt", ".xml", ".config", ".service", ".ini", ".yaml", ".yml"];
    private static readonly string[] KeyStoreExtensions = [".p12", ".pfx", ".jks", ".keystore"];

    public static IReadOnlyList<string> Scan(string directory, IReadOnlyList<string> allowedHosts)
    {
        var findings = new List<string>();
        var root = Path.GetFullPath(directory);
        foreach (var path in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(root, path);
            var bytes = File.ReadAllBytes(path);
            var latin = Encoding.Latin1.GetString(bytes);
            var extension = Path.GetExtension(path).ToLowerInvariant();
            if (KeyStoreExtensions.Contains(extension))
            {
                findings.Add($"{relative}: key store file");
            }

            if (PrivateKey().IsMatch(latin))
            {
                findings.Add($"{relative}: contains a private key");
            }

            if (relative.EndsWith("storage.key", StringComparison.Ordinal) || relative.EndsWith(".sealed", StringComparison.Ordinal))
            {
                findings.Add($"{relative}: device key material (a data directory must never be part of a release)");
            }

            // .NET keeps string literals as UTF-16; dropping the zero bytes makes them readable for the URL scan.
            foreach (var text in new[] { latin, latin.Replace("\0", "", StringComparison.Ordinal) })
            {
                foreach (Match url in Url().Matches(text))
                {
                    var host = url.Groups["host"].Value.TrimEnd('.').ToLowerInvariant();
                    if (!IsAllowed(host, allowedHosts))
                    {
                        findings.Add($"{relative}: undeclared endpoint {url.Value}");
                    }
                }
            }

            // deps.json and runtimeconfig.json are written by the SDK and hold version numbers that look like addresses.
            var generated = relative.EndsWith(".deps.json", StringComparison.Ordinal) || relative.EndsWith(".runtimeconfig.json", StringComparison.Ordinal);
            if (TextExtensions.Contains(extension) && !generated)
            {
                foreach (Match ip in Ipv4().Matches(latin))
                {
                    if (ip.Value is not ("0.0.0.0" or "127.0.0.1"))
                    {
                        findings.Add($"{relative}: IP address {ip.Value}");
                    }
                }

                foreach (Match credential in Credential().Matches(latin))
                {
                    findings.Add($"{relative}: credential in settings ({credential.Groups["name"].Value})");
                }
            }
        }

        return findings.Distinct(StringComparer.Ordinal).ToList();
    }

    public static IReadOnlyList<string> LoadAllowList(string file) =>
        File.ReadAllLines(file).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.ToLowerInvariant()).ToList();

    private static bool IsAllowed(string host, IReadOnlyList<string> allowed) => allowed.Any(pattern => Matches(host, pattern));

    /// <summary>
    /// Exact host or "*.domain". Binary string tables run strings together ("www.iec.chdesc", "microsoft.com0"),
    /// so trailing characters without a further dot still count as the allowed host.
    /// </summary>
    private static bool Matches(string host, string pattern)
    {
        if (pattern.StartsWith("*.", StringComparison.Ordinal))
        {
            var domain = pattern[1..];
            var at = host.LastIndexOf(domain, StringComparison.Ordinal);
            return at > 0 && !host[(at + domain.Length)..].Contains('.', StringComparison.Ordinal);
        }

        return host.StartsWith(pattern, StringComparison.Ordinal) && !host[pattern.Length..].Contains('.', StringComparison.Ordinal);
    }

    [GeneratedRegex(@"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----", RegexOptions.CultureInvariant)]
    private static partial Regex PrivateKey();

    [GeneratedRegex(@"(?:https?|mqtts?|wss?|ftp|rtsp)://(?<host>[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+|\[[0-9A-Fa-f:]+\])", RegexOptions.CultureInvariant)]
    private static partial Regex Url();

    /// <summary>An IPv4 literal where a value goes (after a quote, '=', ':', '/' or '@'), not inside prose like "IoT-1005-1 5.4.2.1".</summary>
    [GeneratedRegex(@"(?<=[""'=:/@]\s?)(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\d.])", RegexOptions.CultureInvariant)]
    private static partial Regex Ipv4();

    [GeneratedRegex(@"""(?<name>[A-Za-z]*(?:[Pp]assword|[Ss]ecret|[Tt]oken|[Aa]pi[Kk]ey|Pin))""\s*:\s*""[^""]+""", RegexOptions.CultureInvariant)]
    private static partial Regex Credential();
}
