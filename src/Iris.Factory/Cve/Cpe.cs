namespace Iris.Factory.Cve;

/// <summary>
/// A CPE 2.3 formatted string (<c>cpe:2.3:part:vendor:product:version:update:edition:language:sw_edition:target_sw:target_hw:other</c>),
/// split on unescaped colons. "*" is ANY and "-" is NA; values compare without case, as NVD does. Inside a value,
/// an unescaped "*" or run of "?" at its start or end is a wildcard (<c>1.1.1*</c>), matched as NISTIR 7696 says;
/// an escaped one (<c>\*</c>) is the character itself.
/// </summary>
internal sealed class Cpe
{
    public const int Part = 0;
    public const int Vendor = 1;
    public const int Product = 2;
    public const int Version = 3;
    private const int Attributes = 11;
    private readonly string[] _values;
    private readonly Wildcard?[] _wildcards;

    private Cpe(string[] values, Wildcard?[]? wildcards = null)
    {
        _values = values;
        _wildcards = wildcards ?? new Wildcard?[values.Length];
    }

    public string this[int index] => _values[index];

    public static Cpe? TryParse(string? text)
    {
        if (text is null || !text.StartsWith("cpe:2.3:", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var values = new List<string>(Attributes);
        var wildcards = new List<Wildcard?>(Attributes);
        var current = new System.Text.StringBuilder();
        // Where unescaped '*' and '?' sit in the value being read (the unescaped text loses the difference).
        var special = new List<int>();
        void EndValue()
        {
            var value = current.ToString().ToLowerInvariant();
            values.Add(value);
            wildcards.Add(value is "*" or "-" ? null : Wildcard.Of(value, special));
            current.Clear();
            special.Clear();
        }

        for (var i = "cpe:2.3:".Length; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length)
            {
                current.Append(text[i + 1]);
                i++;
            }
            else if (text[i] == ':')
            {
                EndValue();
            }
            else
            {
                if (text[i] is '*' or '?')
                {
                    special.Add(current.Length);
                }

                current.Append(text[i]);
            }
        }

        EndValue();
        while (values.Count < Attributes)
        {
            values.Add("*");
            wildcards.Add(null);
        }

        return values.Count == Attributes && values[Part] is "a" or "o" or "h" ? new Cpe([.. values], [.. wildcards]) : null;
    }

    /// <summary>The CPE for a component known by part, vendor, product and version (other attributes ANY).</summary>
    public static Cpe Of(string part, string vendor, string product, string version) =>
        new([part, vendor.ToLowerInvariant(), product.ToLowerInvariant(), version.ToLowerInvariant(), "*", "*", "*", "*", "*", "*", "*"]);

    public override string ToString() => "cpe:2.3:" + string.Join(':', _values.Select(v => v.Replace(":", "\\:", StringComparison.Ordinal)));

    /// <summary>
    /// Whether this criteria CPE (from NVD) covers the component CPE: every attribute equal or ANY; a version of ANY
    /// (or NA) in the criteria leaves the version to the range, a specific one must be equal.
    /// </summary>
    public bool Covers(Cpe component, out bool versionLeftToRange)
    {
        versionLeftToRange = _values[Version] is "*" or "-";
        for (var i = 0; i < Attributes; i++)
        {
            if (i == Version && versionLeftToRange)
            {
                continue;
            }

            if (_values[i] != "*" && component._values[i] != "*" && (_wildcards[i] is { } wildcard
                ? !wildcard.Matches(component._values[i])
                : i == Version
                    ? VersionOrder.Compare(_values[i], component._values[i]) != 0
                    : !string.Equals(_values[i], component._values[i], StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// A value with wildcards at its ends (NISTIR 7696, 6.1.3 and compareStrings in 7.3): a leading "*" lets any
    /// text come before the rest, a leading run of n "?" up to n characters; the same at the end.
    /// </summary>
    private sealed record Wildcard(int Begins, string Core, int Ends)
    {
        /// <summary>-1 in <see cref="Begins"/> or <see cref="Ends"/>: any number of characters ("*").</summary>
        private const int Any = -1;

        public static Wildcard? Of(string value, List<int> special)
        {
            if (special.Count == 0)
            {
                return null;
            }

            var start = 0;
            var begins = 0;
            if (special.Contains(0) && value[0] == '*')
            {
                (start, begins) = (1, Any);
            }
            else
            {
                while (start < value.Length && value[start] == '?' && special.Contains(start))
                {
                    start++;
                    begins++;
                }
            }

            var end = value.Length;
            var ends = 0;
            if (end > start && value[end - 1] == '*' && special.Contains(end - 1))
            {
                (end, ends) = (end - 1, Any);
            }
            else
            {
                while (end > start && value[end - 1] == '?' && special.Contains(end - 1))
                {
                    end--;
                    ends++;
                }
            }

            // Wildcards only at the ends: one inside the value is the character itself, as NVD never writes one there.
            return begins == 0 && ends == 0 ? null : new Wildcard(begins, value[start..end], ends);
        }

        public bool Matches(string target)
        {
            for (var index = target.IndexOf(Core, StringComparison.Ordinal); index >= 0; index = target.IndexOf(Core, index + 1, StringComparison.Ordinal))
            {
                if (Begins != Any && index > Begins)
                {
                    return false;
                }

                var leftover = target.Length - index - Core.Length;
                if (Ends == Any || leftover <= Ends)
                {
                    return true;
                }

                if (index >= target.Length)
                {
                    break;
                }
            }

            return false;
        }
    }
}
