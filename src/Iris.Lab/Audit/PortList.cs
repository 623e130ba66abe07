using System.Globalization;

namespace Iris.Lab.Audit;

/// <summary>"1-1024,8443" as a sorted list of distinct TCP ports.</summary>
internal static class PortList
{
    public static bool TryParse(string text, out IReadOnlyList<int> ports, out string problem)
    {
        var set = new SortedSet<int>();
        ports = [];
        problem = "";
        foreach (var part in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var dash = part.IndexOf('-', StringComparison.Ordinal);
            var low = dash < 0 ? part : part[..dash];
            var high = dash < 0 ? part : part[(dash + 1)..];
            if (!Port(low, out var from) || !Port(high, out var to) || from > to)
            {
                problem = $"'{part}' is not a port or range of ports (1-65535).";
                return false;
            }

            for (var p = from; p <= to; p++)
            {
                set.Add(p);
            }
        }

        if (set.Count == 0)
        {
            problem = "No ports to scan.";
            return false;
        }

        ports = [.. set];
        return true;
    }

    private static bool Port(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535;
}
