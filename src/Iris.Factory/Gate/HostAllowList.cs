namespace Iris.Factory.Gate;

/// <summary>
/// The hosts a release may name (deploy/release-gate-allow.txt): an entry is one exact host, or "*.domain" for
/// any name below that domain (not the domain itself). Matching is exact, so "github.company" is not "github.com".
/// </summary>
internal sealed class HostAllowList
{
    private readonly HashSet<string> _exact = new(StringComparer.Ordinal);
    private readonly List<string> _suffixes = [];

    public HostAllowList(IEnumerable<string> entries)
    {
        foreach (var entry in entries.Select(e => e.Trim().ToLowerInvariant()).Where(e => e.Length > 0 && !e.StartsWith('#')))
        {
            if (entry.StartsWith("*.", StringComparison.Ordinal))
            {
                _suffixes.Add(entry[1..]);
            }
            else
            {
                _exact.Add(entry);
            }
        }
    }

    public static HostAllowList Load(string file) => new(File.ReadAllLines(file));

    public bool Allows(string host)
    {
        var name = host.TrimEnd('.').ToLowerInvariant();
        return _exact.Contains(name) || _suffixes.Exists(suffix => name.EndsWith(suffix, StringComparison.Ordinal) && name.Length > suffix.Length);
    }

    /// <summary>
    /// The host as written, less what a binary string table glued to its end: a top-level domain is letters only
    /// (or "xn--" punycode), so whatever follows the first digit or dash after the last dot ("ocsp.example.com0C",
    /// DER bytes) is not part of the name, nor is a change from lower to upper case. Anything else stays, and is
    /// matched exactly.
    /// </summary>
    public static string Normalise(string host)
    {
        var name = host.TrimEnd('.').ToLowerInvariant();
        var lastDot = name.LastIndexOf('.');
        if (lastDot < 0 || name.StartsWith('[') || name[(lastDot + 1)..].StartsWith("xn--", StringComparison.Ordinal))
        {
            return name;
        }

        // A top-level domain is letters only, so the name ends at the first other character in its last label
        // ("ocsp.example.com0C": a DER SEQUENCE tag and length follow the string in a certificate). Names are
        // written in one case; a lower-case letter followed by an upper-case one inside the last label is where
        // the next string starts ("www.color.orgOutputConditionIdentifier" in an ICC profile).
        var written = host.TrimEnd('.');
        var end = written.Length;
        for (var i = lastDot + 1; i < written.Length; i++)
        {
            if (!char.IsAsciiLetter(written[i]) || (i > lastDot + 1 && char.IsAsciiLetterLower(written[i - 1]) && char.IsAsciiLetterUpper(written[i])))
            {
                end = i;
                break;
            }
        }

        return end > lastDot + 1 ? name[..end] : name;
    }
}
