namespace Iris.Factory.Gate;

/// <summary>
/// The hosts a release may name (deploy/release-gate-allow.txt): an entry is one exact host, or "*.domain" for
/// any name below that domain (not the domain itself). Matching is exact, so "github.company" is not "github.com".
/// "managed:host" allows one exact host only inside .NET assemblies, where it names an XML namespace, a claim type
/// or a problem type (<c>http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name</c>); in any other file it is an
/// endpoint like any host.
/// </summary>
internal sealed class HostAllowList
{
    private const string ManagedPrefix = "managed:";
    private readonly HashSet<string> _exact = new(StringComparer.Ordinal);
    private readonly HashSet<string> _managed = new(StringComparer.Ordinal);
    private readonly List<string> _suffixes = [];

    public HostAllowList(IEnumerable<string> entries)
    {
        foreach (var entry in entries.Select(e => e.Trim().ToLowerInvariant()).Where(e => e.Length > 0 && !e.StartsWith('#')))
        {
            if (entry.StartsWith(ManagedPrefix, StringComparison.Ordinal))
            {
                _managed.Add(entry[ManagedPrefix.Length..].Trim());
            }
            else if (entry.StartsWith("*.", StringComparison.Ordinal))
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

    /// <summary>A host named inside a .NET assembly: allowed everywhere, or as a namespace or schema name ("managed:").</summary>
    public bool AllowsInManagedAssembly(string host)
    {
        var name = host.TrimEnd('.').ToLowerInvariant();
        return Allows(name) || _managed.Contains(name) || IsOverlappedConstant(name);
    }

    /// <summary>
    /// ReadyToRun code compares a string with a constant in overlapping vector loads, so the constant is stored as
    /// its first and its last 16 characters: "http://www.w3.org/2000/xmlns/" reads "http://www.w3.or" then
    /// ".w3.org/...", the host "www.w3.or.w3.org". Such a host is a start and an end of one allowed host that
    /// overlap (together longer than it), so two parts that only touch ("www3.org") are not taken for one.
    /// </summary>
    private bool IsOverlappedConstant(string name)
    {
        foreach (var allowed in _exact.Concat(_managed).Where(allowed => name.Length > allowed.Length))
        {
            for (var split = 1; split < name.Length && split < allowed.Length; split++)
            {
                if (allowed.StartsWith(name[..split], StringComparison.Ordinal) && allowed.EndsWith(name[split..], StringComparison.Ordinal)
                    && name.Length - split < allowed.Length)
                {
                    return true;
                }
            }
        }

        return false;
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
