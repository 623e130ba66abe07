using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Iris.Camera.Storage;

namespace Iris.Camera.Privacy;

/// <summary>
/// Everything the camera stores (IoT-1005-1 5.7.1.1), assembled from what each module declares through
/// <see cref="IStoredData"/>: personal kinds first, then the device's own data, each with the locations other
/// modules add to it. Served at GET /api/privacy/inventory, shown in the UI, written to docs/privacy-inventory.md;
/// <see cref="InventoryChecker"/> compares it with the real database and data directory.
/// </summary>
internal sealed class PersonalDataInventory(IEnumerable<IStoredData> owners)
{
    private readonly IReadOnlyList<IStoredData> _owners = [.. owners];

    public IReadOnlyList<DataKind> Kinds
    {
        get
        {
            var extra = _owners.SelectMany(o => o.Locations).ToList();
            var declared = _owners.SelectMany(o => o.Kinds).ToList();
            var unknown = extra.Select(l => l.KindId).Except(declared.Select(k => k.Id)).ToList();
            if (unknown.Count > 0)
            {
                throw new InvalidOperationException($"Stored data is placed under undeclared kinds: {string.Join(", ", unknown)}.");
            }

            return
            [
                .. declared.OrderBy(k => k.Personal ? 0 : 1).Select(kind =>
                {
                    var more = extra.Where(l => l.KindId == kind.Id).ToList();
                    return kind with
                    {
                        Tables = [.. kind.Tables, .. more.SelectMany(l => l.Tables)],
                        Files = [.. kind.Files, .. more.SelectMany(l => l.Files)],
                    };
                }),
            ];
        }
    }

    /// <summary>The kinds an owner can delete, in inventory order, each with the module that erases it.</summary>
    public IReadOnlyList<(string Kind, IStoredData Owner)> Deletable =>
    [
        .. Kinds.SelectMany(k => _owners.Where(o => o.Deletable.Contains(k.Id)).Select(o => (k.Id, o))),
    ];

    /// <summary>docs/privacy-inventory.md; a test fails when the two differ.</summary>
    public static string ToMarkdown(IReadOnlyList<DataKind> kinds)
    {
        var text = new StringBuilder();
        text.AppendLine("# Personal data inventory (generated)");
        text.AppendLine();
        text.AppendLine("Everything the Iris camera stores (IoT-1005-1 5.7.1.1), with the default settings. Generated from what each");
        text.AppendLine("module declares (`src/Iris.Camera/*/…Data.cs`); the device serves it at `GET /api/privacy/inventory`, and a test");
        text.AppendLine("compares it with the real database tables and data-directory files. Regenerate with `IRIS_UPDATE_DOCS=1 dotnet test`.");
        text.AppendLine();
        text.AppendLine("| kind | personal | purpose | retention | deletion | stored in |");
        text.AppendLine("|---|---|---|---|---|---|");
        foreach (var kind in kinds)
        {
            var where = string.Join(", ", kind.Tables.Select(t => $"table `{t}`").Concat(kind.Files.Select(f => $"`{f}`")));
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {kind.Name} (`{kind.Id}`) | {(kind.Personal ? "yes" : "no")} | {kind.Purpose} | {kind.Retention} | {kind.Deletion} | {(where.Length == 0 ? "nowhere" : where)} |");
        }

        return text.ToString();
    }

    /// <summary>Whether a data-directory path (with '/') matches a declared pattern.</summary>
    public static bool Matches(string pattern, string path) =>
        Regex.IsMatch(path, "^" + Regex.Escape(pattern).Replace(@"\*", "[^/]*", StringComparison.Ordinal) + "$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
}

/// <summary>Compares the declaration with what is really stored: any table or file it does not name is a finding.</summary>
public static class InventoryChecker
{
    public static IReadOnlyList<string> Undeclared(IReadOnlyList<DataKind> kinds, IEnumerable<string> tables, IEnumerable<string> files)
    {
        var declaredTables = kinds.SelectMany(k => k.Tables).ToHashSet(StringComparer.Ordinal);
        var patterns = kinds.SelectMany(k => k.Files).ToList();
        return
        [
            .. tables.Where(t => !declaredTables.Contains(t)).Select(t => $"table {t}"),
            .. files.Where(f => !patterns.Any(p => PersonalDataInventory.Matches(p, f))).Select(f => $"file {f}"),
        ];
    }
}
