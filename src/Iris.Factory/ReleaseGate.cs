using System.Text.RegularExpressions;

namespace Iris.Factory;

/// <summary>What the gate found, and what it took to look (the tests hold the buffers to a bound).</summary>
internal sealed class GateReport
{
    private readonly List<string> _findings = [];
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Findings => _findings;

    public long BytesScanned { get; set; }

    /// <summary>The largest buffer any scan held, in bytes: bounded by the window size, not by the size of the files.</summary>
    public int LargestBuffer { get; private set; }

    public void Add(string finding)
    {
        if (_seen.Add(finding))
        {
            _findings.Add(finding);
        }
    }

    public void Held(int bytes) => LargestBuffer = Math.Max(LargestBuffer, bytes);
}

/// <summary>
/// The release gate (IoT-1005-1 5.4.1.1, second branch): before a release is published, every file of a directory,
/// or a whole file-system image, is scanned for secrets (private keys, key stores, credentials in settings files)
/// and for network endpoints that are not on the allow list (URLs in any file, in UTF-8 or UTF-16 as .NET stores
/// strings; IP addresses in text files). Files are streamed through a window of fixed size, so a file of any
/// size is scanned in bounded memory. A finding stops the release; it is fixed in the build, never waved through.
/// </summary>
internal static partial class ReleaseGate
{
    public const int DefaultWindowBytes = 1 << 20;
    private const int MaxFindingsPerFile = 50;
    private static readonly string[] TextExtensions = [".json", ".cnf", ".conf", ".sh", ".html", ".js", ".css", ".txt", ".xml", ".config", ".service", ".ini", ".yaml", ".yml"];
    private static readonly string[] KeyStoreExtensions = [".p12", ".pfx", ".jks", ".keystore"];

    /// <summary>Scans a directory (every file in it) or one file (a file-system image).</summary>
    public static GateReport Scan(string path, IReadOnlyList<string> allowedHosts, int windowBytes = DefaultWindowBytes)
    {
        var report = new GateReport();
        if (Directory.Exists(path))
        {
            var root = Path.GetFullPath(path);
            foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                ScanFile(file, Path.GetRelativePath(root, file), allowedHosts, report, windowBytes);
            }
        }
        else if (File.Exists(path))
        {
            ScanFile(Path.GetFullPath(path), Path.GetFileName(path), allowedHosts, report, windowBytes);
        }
        else
        {
            throw new ArgumentException($"'{path}' is neither a directory nor a file.");
        }

        return report;
    }

    /// <summary>Scans one stream of any length; <paramref name="name"/> decides which rules apply (by extension).</summary>
    public static void ScanStream(Stream stream, string name, IReadOnlyList<string> allowedHosts, GateReport report, int windowBytes = DefaultWindowBytes)
    {
        var findings = new HashSet<string>(StringComparer.Ordinal);
        void Add(string finding)
        {
            if (findings.Count < MaxFindingsPerFile && findings.Add(finding))
            {
                report.Add(finding);
            }
            else if (findings.Count == MaxFindingsPerFile && findings.Add($"{name}: more findings, not listed"))
            {
                report.Add($"{name}: more findings, not listed");
            }
        }

        var extension = Path.GetExtension(name).ToLowerInvariant();
        if (KeyStoreExtensions.Contains(extension))
        {
            Add($"{name}: key store file");
        }

        if (name.EndsWith("storage.key", StringComparison.Ordinal) || name.EndsWith(".sealed", StringComparison.Ordinal))
        {
            Add($"{name}: device key material (a data directory must never be part of a release)");
        }

        // deps.json and runtimeconfig.json are written by the SDK and hold version numbers that look like addresses.
        var generated = name.EndsWith(".deps.json", StringComparison.Ordinal) || name.EndsWith(".runtimeconfig.json", StringComparison.Ordinal);
        var text = TextExtensions.Contains(extension) && !generated;
        // Rule indexes are what Describe reads: 0 private key, 1 URL, 2 IPv4 address, 3 credential.
        Regex[] binaryRules = [PrivateKey(), Url()];
        Regex[] rules = text ? [.. binaryRules, Ipv4(), Credential()] : binaryRules;
        void Found(int rule, string match)
        {
            if (Describe(rule, match, name, allowedHosts) is { Length: > 0 } finding)
            {
                Add(finding);
            }
        }

        var raw = new WindowedMatcher(windowBytes, rules, Found);
        // .NET keeps string literals as UTF-16; dropping the zero bytes makes them readable for the same rules.
        var utf16 = new WindowedMatcher(windowBytes, binaryRules, Found);
        var buffer = new byte[windowBytes];
        report.Held(Math.Max(buffer.Length, Math.Max(raw.BufferBytes, utf16.BufferBytes)));
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            raw.AppendLatin1(buffer.AsSpan(0, read));
            utf16.AppendWithoutZeros(buffer.AsSpan(0, read));
            report.BytesScanned += read;
        }

        raw.Finish();
        utf16.Finish();
    }

    public static IReadOnlyList<string> LoadAllowList(string file) =>
        File.ReadAllLines(file).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.ToLowerInvariant()).ToList();

    private static void ScanFile(string path, string relative, IReadOnlyList<string> allowedHosts, GateReport report, int windowBytes)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
        {
            // Not followed: a link can point anywhere (/dev/zero never ends), and bundles hold regular files only.
            report.Add($"{relative}: symbolic link (a release holds regular files only)");
            return;
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        // A small file needs no large window; the window never exceeds the configured size.
        ScanStream(stream, relative, allowedHosts, report, (int)Math.Min(windowBytes, Math.Max(4096, info.Length)));
    }

    /// <summary>The finding for a match of rule <paramref name="rule"/> (PrivateKey, Url, Ipv4, Credential), or "" when it is allowed.</summary>
    private static string Describe(int rule, string match, string name, IReadOnlyList<string> allowedHosts)
    {
        switch (rule)
        {
            case 0:
                return $"{name}: contains a private key";
            case 2:
                return match is "0.0.0.0" or "127.0.0.1" ? "" : $"{name}: IP address {match}";
            case 3:
                return $"{name}: credential in settings ({Credential().Match(match).Groups["name"].Value})";
            default:
                var url = Url().Match(match);
                var host = url.Groups["host"].Value.TrimEnd('.').ToLowerInvariant();
                var isName = host.StartsWith('[') || host.Contains('.', StringComparison.Ordinal);
                return !isName || IsAllowed(host, allowedHosts) ? "" : $"{name}: undeclared endpoint {url.Value.TrimEnd('.')}";
        }
    }

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

    // Every pattern is bounded (far below WindowedMatcher.Overlap), so a streamed scan finds what a whole-file scan would.
    [GeneratedRegex(@"-----BEGIN (?:[A-Z]{1,32} )?PRIVATE KEY-----", RegexOptions.CultureInvariant)]
    private static partial Regex PrivateKey();

    /// <summary>A URL and its host: a name of up to 253 characters (the longest a DNS name can be), or an IPv6 literal.</summary>
    [GeneratedRegex(@"(?:https?|mqtts?|wss?|ftp|rtsp)://(?<host>[A-Za-z0-9\-][A-Za-z0-9.\-]{0,252}|\[[0-9A-Fa-f:.]{1,45}\])", RegexOptions.CultureInvariant)]
    private static partial Regex Url();

    /// <summary>An IPv4 literal where a value goes (after a quote, '=', ':', '/' or '@'), not inside prose like "IoT-1005-1 5.4.2.1".</summary>
    [GeneratedRegex(@"(?<=[""'=:/@]\s?)(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\d.])", RegexOptions.CultureInvariant)]
    private static partial Regex Ipv4();

    /// <summary>A setting whose name ends in a credential word and whose value is not empty: <c>"dbPassword": "x</c>.</summary>
    [GeneratedRegex(@"(?<name>[A-Za-z]{0,256}(?:[Pp]assword|[Ss]ecret|[Tt]oken|[Aa]pi[Kk]ey|Pin))""\s{0,256}:\s{0,256}""[^""]", RegexOptions.CultureInvariant)]
    private static partial Regex Credential();
}
