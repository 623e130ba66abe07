using System.Globalization;

namespace Iris.Lab.Web;

/// <summary>RFC 9116: a security.txt needs at least one Contact and exactly one Expires, in the future.</summary>
internal static class SecurityTxtCheck
{
    /// <summary>Every problem with the file; empty when it is valid at <paramref name="now"/>.</summary>
    public static IReadOnlyList<string> Problems(string text, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(text);
        var fields = text.Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#') && l.Contains(':', StringComparison.Ordinal))
            .Select(l => (Name: l[..l.IndexOf(':', StringComparison.Ordinal)].Trim(), Value: l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim()))
            .ToList();
        var problems = new List<string>();
        if (!fields.Any(f => f.Name.Equals("Contact", StringComparison.OrdinalIgnoreCase)))
        {
            problems.Add("no Contact field");
        }

        var expires = fields.Where(f => f.Name.Equals("Expires", StringComparison.OrdinalIgnoreCase)).ToList();
        if (expires.Count != 1)
        {
            problems.Add(expires.Count == 0 ? "no Expires field" : "more than one Expires field");
        }
        else if (!DateTimeOffset.TryParse(expires[0].Value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var until))
        {
            problems.Add($"Expires '{expires[0].Value}' is not an RFC 3339 date");
        }
        else if (until <= now)
        {
            problems.Add($"expired on {until.UtcDateTime:yyyy-MM-dd}");
        }

        return problems;
    }
}
