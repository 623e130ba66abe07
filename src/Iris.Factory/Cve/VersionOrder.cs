namespace Iris.Factory.Cve;

/// <summary>
/// Version order for CVE ranges: dpkg's algorithm (digits compare as numbers, other characters as text with letters
/// before punctuation, '~' before everything, even the end), applied to the upstream part of a version. It orders
/// upstream versions (3.0.9 &lt; 3.0.15, 1.1.1t &lt; 1.1.1w) and Debian ones alike.
/// </summary>
internal static class VersionOrder
{
    /// <summary>The upstream version of a Debian version: no epoch ("1:"), no Debian revision ("-3+deb12u1").</summary>
    public static string Upstream(string version)
    {
        var colon = version.IndexOf(':', StringComparison.Ordinal);
        var upstream = colon >= 0 && version[..colon].All(char.IsAsciiDigit) ? version[(colon + 1)..] : version;
        var dash = upstream.LastIndexOf('-');
        return dash > 0 ? upstream[..dash] : upstream;
    }

    /// <summary>
    /// Trailing ".0" parts do not count: NVD writes 1.2 and 1.2.0 for the same release. A SemVer pre-release (a '-'
    /// and a letter: 2.0.0-beta1, 10.0.0-preview.3, as NuGet previews are) comes before its release, as '~' does
    /// for dpkg.
    /// </summary>
    public static int Compare(string a, string b) => CompareExact(WithoutTrailingZeros(PreRelease(a)), WithoutTrailingZeros(PreRelease(b)));

    private static string PreRelease(string version)
    {
        var dash = version.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 && char.IsAsciiDigit(version[dash - 1]) && dash + 1 < version.Length && char.IsAsciiLetter(version[dash + 1])
            ? string.Concat(version.AsSpan(0, dash), "~", version.AsSpan(dash + 1))
            : version;
    }

    private static string WithoutTrailingZeros(string text)
    {
        // A pre-release ("1.4.0~rc1") keeps its suffix: the zeros before it go, as at the end.
        var tilde = text.IndexOf('~', StringComparison.Ordinal);
        var version = tilde < 0 ? text : text[..tilde];
        var suffix = tilde < 0 ? "" : text[tilde..];
        var end = version.Length;
        while (end > 2 && version[end - 1] == '0')
        {
            var start = end - 1;
            while (start > 0 && version[start - 1] == '0')
            {
                start--;
            }

            if (start == 0 || version[start - 1] != '.')
            {
                break;
            }

            end = start - 1;
        }

        return version[..end] + suffix;
    }

    private static int CompareExact(string a, string b)
    {
        var i = 0;
        var j = 0;
        while (i < a.Length || j < b.Length)
        {
            var firstDiff = 0;
            while ((i < a.Length && !char.IsAsciiDigit(a[i])) || (j < b.Length && !char.IsAsciiDigit(b[j])))
            {
                var ac = i < a.Length ? Order(a[i]) : 0;
                var bc = j < b.Length ? Order(b[j]) : 0;
                if (ac != bc)
                {
                    return ac - bc;
                }

                i++;
                j++;
            }

            while (i < a.Length && a[i] == '0')
            {
                i++;
            }

            while (j < b.Length && b[j] == '0')
            {
                j++;
            }

            while (i < a.Length && char.IsAsciiDigit(a[i]) && j < b.Length && char.IsAsciiDigit(b[j]))
            {
                if (firstDiff == 0)
                {
                    firstDiff = a[i] - b[j];
                }

                i++;
                j++;
            }

            if (i < a.Length && char.IsAsciiDigit(a[i]))
            {
                return 1;
            }

            if (j < b.Length && char.IsAsciiDigit(b[j]))
            {
                return -1;
            }

            if (firstDiff != 0)
            {
                return firstDiff;
            }
        }

        return 0;
    }

    private static int Order(char c) => c switch
    {
        '~' => -1,
        _ when char.IsAsciiDigit(c) => 0,
        _ when char.IsAsciiLetter(c) => char.ToLowerInvariant(c),
        _ => c + 256,
    };
}
