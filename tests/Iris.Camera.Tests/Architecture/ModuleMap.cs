namespace Iris.Camera.Tests.Architecture;

/// <summary>
/// The module table of docs/architecture.md: each module's layer and the modules it may use. The tests read the
/// document itself, so the rule and its description cannot drift apart.
/// </summary>
internal sealed class ModuleMap
{
    private static readonly string[] Layers = ["foundation", "security core", "feature", "host"];

    private readonly List<(string Module, string Layer, IReadOnlyList<string> MayUse, bool Everything)> _rows;

    private ModuleMap(List<(string, string, IReadOnlyList<string>, bool)> rows) => _rows = rows;

    public static ModuleMap Read(string path) => Parse(File.ReadAllText(path));

    /// <summary>Reads the first Markdown table whose header is "| module | layer | owns | may use |".</summary>
    public static ModuleMap Parse(string markdown)
    {
        var rows = new List<(string, string, IReadOnlyList<string>, bool)>();
        var inTable = false;
        foreach (var raw in markdown.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith("| module | layer | owns | may use |", StringComparison.Ordinal))
            {
                inTable = true;
                continue;
            }

            if (!inTable || line.StartsWith("|---", StringComparison.Ordinal))
            {
                continue;
            }

            if (!line.StartsWith('|'))
            {
                break;
            }

            var cells = line.Trim('|').Split('|').Select(c => c.Trim()).ToArray();
            var uses = cells[3];
            rows.Add((cells[0], cells[1],
                uses is "—" or "" or "every module" ? [] : [.. uses.Split(',').Select(u => u.Trim())],
                uses == "every module"));
        }

        return new ModuleMap(rows);
    }

    public bool Allows(string from, string to) =>
        _rows.Any(r => r.Module == from && (r.Everything || r.MayUse.Contains(to)));

    /// <summary>What is wrong with the table itself: unknown names or layers, and any use that points up or sideways-back.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (_rows.Count == 0)
        {
            problems.Add("no module table found");
        }

        var position = _rows.Select((r, i) => (r.Module, i)).ToDictionary(x => x.Module, x => x.i, StringComparer.Ordinal);
        foreach (var (module, layer, mayUse, _) in _rows)
        {
            if (Array.IndexOf(Layers, layer) < 0)
            {
                problems.Add($"{module}: unknown layer '{layer}'");
            }

            foreach (var used in mayUse)
            {
                if (!position.TryGetValue(used, out var usedAt))
                {
                    problems.Add($"{module}: unknown module '{used}'");
                }
                else if (usedAt >= position[module] || Array.IndexOf(Layers, _rows[usedAt].Layer) > Array.IndexOf(Layers, layer))
                {
                    // Only modules listed earlier, in the same or a lower layer: the table itself is then acyclic.
                    problems.Add($"{module} may not use {used}: it is listed after it or in a higher layer");
                }
            }
        }

        return problems;
    }
}
