namespace Iris.Camera.Storage;

/// <summary>
/// One step of the database schema, declared by the module that owns the tables it creates (only that module runs
/// SQL on them). Versions are global and contiguous: the schema version is SQLite's user_version, and all steps of
/// one version run in one transaction together with setting it. A released step is never edited: add a new version.
/// </summary>
public sealed record SchemaMigration(int Version, string Sql);

internal static class SchemaPlan
{
    /// <summary>Groups the declared steps by version and checks that versions run 1..N without a gap.</summary>
    public static IReadOnlyList<string> Order(IEnumerable<SchemaMigration> migrations)
    {
        var byVersion = migrations.GroupBy(m => m.Version).OrderBy(g => g.Key).ToList();
        for (var i = 0; i < byVersion.Count; i++)
        {
            if (byVersion[i].Key != i + 1)
            {
                throw new InvalidOperationException($"Schema versions must run 1..N without a gap; version {i + 1} is missing.");
            }
        }

        return [.. byVersion.Select(g => string.Join("\n", g.Select(m => m.Sql)))];
    }
}
