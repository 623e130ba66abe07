using System.Text;
using System.Text.RegularExpressions;

namespace Iris.Factory.Sbom;

/// <summary>
/// The SQLite version inside a shipped e_sqlite3 library. SQLitePCLRaw.lib.e_sqlite3 2.1.13 bundles SQLite 3.53.3:
/// the package version says nothing about it, so it is read from the library itself, where sqlite3_version is a
/// "3.N.N" string next to the source id. The library is for the target (arm64), so it is read, not loaded.
/// </summary>
internal static partial class NativeSqlite
{
    private const long MaxBytes = 64L << 20;

    /// <summary>The one version the shipped e_sqlite3 libraries state; null if none states one or they differ.</summary>
    public static string? Version(string release, IEnumerable<string> files)
    {
        var versions = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in files.Where(f => Path.GetFileName(f).Contains("e_sqlite3", StringComparison.Ordinal) && !f.EndsWith(".a", StringComparison.Ordinal)))
        {
            var path = Path.Combine(release, file);
            if (new FileInfo(path).Length > MaxBytes)
            {
                return null;
            }

            var found = VersionString().Matches(Encoding.Latin1.GetString(File.ReadAllBytes(path))).Select(m => m.Groups["version"].Value).Distinct().ToList();
            // A build that lays the string out otherwise says nothing; one that states two versions cannot be believed.
            if (found.Count > 1)
            {
                return null;
            }

            versions.UnionWith(found);
        }

        return versions.Count == 1 ? versions.Single() : null;
    }

    /// <summary>"3.N.N" between NULs, or right before the NUL padding and the source id ("2026-06-26 20:14:12 d4c0e5…"), as compilers lay it out.</summary>
    [GeneratedRegex(@"(?<![0-9.])(?<version>3\.[0-9]{1,3}\.[0-9]{1,3})(?=\x00{1,16}[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} [0-9a-f]{40})|\x00(?<version>3\.[0-9]{1,3}\.[0-9]{1,3})\x00", RegexOptions.CultureInvariant)]
    private static partial Regex VersionString();
}
