using System.Globalization;

namespace Iris.Lab.Audit;

/// <summary>HOST[:PORT] as given on the command line. IPv6 literals are written in brackets: [::1]:443.</summary>
internal sealed record AuditTarget(string Host, int? Port)
{
    public static bool TryParse(string text, out AuditTarget target, out string problem)
    {
        target = new AuditTarget("", null);
        problem = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            problem = "The target is empty.";
            return false;
        }

        string host = text;
        string? port = null;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                problem = "An IPv6 target needs its closing bracket.";
                return false;
            }

            host = text[1..close];
            if (close + 1 < text.Length)
            {
                if (text[close + 1] != ':')
                {
                    problem = "Only :PORT may follow the bracketed address.";
                    return false;
                }

                port = text[(close + 2)..];
            }
        }
        else if (text.Count(c => c == ':') == 1)
        {
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            host = text[..colon];
            port = text[(colon + 1)..];
        }

        int? number = null;
        if (port is not null)
        {
            if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value is < 1 or > 65535)
            {
                problem = $"'{port}' is not a TCP port (1-65535).";
                return false;
            }

            number = value;
        }

        if (host.Length == 0 || host.Any(c => char.IsWhiteSpace(c) || c == '/'))
        {
            problem = $"'{host}' is not a host name or address.";
            return false;
        }

        target = new AuditTarget(host, number);
        return true;
    }

    public override string ToString() => Port is { } p ? (Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{p}" : $"{Host}:{p}") : Host;
}
