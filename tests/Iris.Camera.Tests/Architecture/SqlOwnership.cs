using System.Text.RegularExpressions;

namespace Iris.Camera.Tests.Architecture;

/// <summary>
/// Which folder owns each table (the one whose code creates it) and every place SQL names a table from another
/// folder. Reads source text: a table name after FROM, INTO, UPDATE, JOIN, TABLE or ON in upper-case SQL.
/// </summary>
internal static partial class SqlOwnership
{
    public static IReadOnlyDictionary<string, string> Owners(IReadOnlyDictionary<string, string> files) =>
        files.SelectMany(f => CreateTable().Matches(f.Value).Select(m => (Table: m.Groups[1].Value, Folder: FolderOf(f.Key))))
            .ToDictionary(o => o.Table, o => o.Folder, StringComparer.Ordinal);

    /// <summary>"file: table (owned by Folder)" for every use of a table outside its owner's folder.</summary>
    public static IReadOnlyList<string> Violations(IReadOnlyDictionary<string, string> files)
    {
        var owners = Owners(files);
        var violations = new List<string>();
        foreach (var (path, text) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            foreach (Match use in TableUse().Matches(text))
            {
                var table = use.Groups[1].Value;
                if (owners.TryGetValue(table, out var owner) && owner != FolderOf(path))
                {
                    violations.Add($"{path}: {table} (owned by {owner})");
                }
            }
        }

        return violations;
    }

    /// <summary>The daemon's C# sources, by path relative to src/Iris.Camera.</summary>
    public static IReadOnlyDictionary<string, string> DaemonSources(string repositoryRoot)
    {
        var root = Path.Combine(repositoryRoot, "src", "Iris.Camera");
        return Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal))
            .ToDictionary(f => Path.GetRelativePath(root, f), File.ReadAllText, StringComparer.Ordinal);
    }

    private static string FolderOf(string relativePath) =>
        relativePath.Contains('/', StringComparison.Ordinal) ? relativePath[..relativePath.IndexOf('/', StringComparison.Ordinal)] : "(root)";

    [GeneratedRegex(@"CREATE TABLE (?:IF NOT EXISTS )?([a-z_]+)")]
    private static partial Regex CreateTable();

    [GeneratedRegex(@"\b(?:FROM|INTO|UPDATE|JOIN|TABLE|ON)\s+([a-z_]+)\b")]
    private static partial Regex TableUse();
}
