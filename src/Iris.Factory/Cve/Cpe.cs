namespace Iris.Factory.Cve;

/// <summary>
/// A CPE 2.3 formatted string (<c>cpe:2.3:part:vendor:product:version:update:edition:language:sw_edition:target_sw:target_hw:other</c>),
/// split on unescaped colons. "*" is ANY and "-" is NA; values compare without case, as NVD does.
/// </summary>
internal sealed class Cpe
{
    public const int Part = 0;
    public const int Vendor = 1;
    public const int Product = 2;
    public const int Version = 3;
    private const int Attributes = 11;
    private readonly string[] _values;

    private Cpe(string[] values) => _values = values;

    public string this[int index] => _values[index];

    public static Cpe? TryParse(string? text)
    {
        if (text is null || !text.StartsWith("cpe:2.3:", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var values = new List<string>(Attributes);
        var current = new System.Text.StringBuilder();
        for (var i = "cpe:2.3:".Length; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length)
            {
                current.Append(text[i + 1]);
                i++;
            }
            else if (text[i] == ':')
            {
                values.Add(current.ToString().ToLowerInvariant());
                current.Clear();
            }
            else
            {
                current.Append(text[i]);
            }
        }

        values.Add(current.ToString().ToLowerInvariant());
        while (values.Count < Attributes)
        {
            values.Add("*");
        }

        return values.Count == Attributes && values[Part] is "a" or "o" or "h" ? new Cpe([.. values]) : null;
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

            if (_values[i] != "*" && component._values[i] != "*" && (i == Version
                ? VersionOrder.Compare(_values[i], component._values[i]) != 0
                : !string.Equals(_values[i], component._values[i], StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }
}
