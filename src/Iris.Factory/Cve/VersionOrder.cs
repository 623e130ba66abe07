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

    public static int Compare(string a, string b)
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
