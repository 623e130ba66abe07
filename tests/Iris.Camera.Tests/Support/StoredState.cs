using System.Security.Cryptography;
using Iris.Camera.Storage;
using Microsoft.Data.Sqlite;

namespace Iris.Camera.Tests.Support;

/// <summary>
/// A fingerprint of everything the camera stores: every table's rows (SQLite, read through the daemon's own
/// database) and every file of the data directory except the database files themselves. Left out, because they
/// change legitimately while requests are served: the security log (it records refused requests) with its signed
/// head and anchor, and the sessions' last-seen time.
/// </summary>
public sealed class StoredState
{
    private static readonly HashSet<string> ExcludedTables = new(StringComparer.OrdinalIgnoreCase) { "security_events" };
    private static readonly HashSet<string> ExcludedColumns = new(StringComparer.OrdinalIgnoreCase) { "sessions.last_seen_at" };

    private StoredState(IReadOnlyDictionary<string, string> parts) => Parts = parts;

    /// <summary>"table:NAME" or "file:PATH" to a hash of its content.</summary>
    public IReadOnlyDictionary<string, string> Parts { get; }

    internal static StoredState Capture(CameraDatabase database, string dataDirectory)
    {
        var parts = new SortedDictionary<string, string>(StringComparer.Ordinal);
        using (var connection = database.OpenConnection())
        {
            foreach (var table in Tables(connection))
            {
                parts["table:" + table] = HashTable(connection, table);
            }
        }

        foreach (var file in Directory.EnumerateFiles(dataDirectory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var name = Path.GetRelativePath(dataDirectory, file);
            if (name.StartsWith("iris.db", StringComparison.Ordinal))
            {
                continue;
            }

            try
            {
                parts["file:" + name] = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file)));
            }
            catch (FileNotFoundException)
            {
                // Removed while listing: its absence is what the next capture compares.
            }
        }

        return new StoredState(parts);
    }

    /// <summary>What differs from <paramref name="before"/>: names of tables and files added, removed or changed.</summary>
    public IReadOnlyList<string> DifferencesFrom(StoredState before) =>
        [.. Parts.Keys.Union(before.Parts.Keys)
            .Where(k => !Parts.TryGetValue(k, out var now) || !before.Parts.TryGetValue(k, out var then) || now != then)
            .Order(StringComparer.Ordinal)];

    private static List<string> Tables(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
        using var reader = command.ExecuteReader();
        var tables = new List<string>();
        while (reader.Read())
        {
            var name = reader.GetString(0);
            if (!ExcludedTables.Contains(name))
            {
                tables.Add(name);
            }
        }

        return tables;
    }

    private static string HashTable(SqliteConnection connection, string table)
    {
        using var command = connection.CreateCommand();
        // Table names come from sqlite_master, not from input.
#pragma warning disable CA2100
        // The security log's signed head and anchor live in settings and move with the log itself.
        command.CommandText = table == "settings"
            ? "SELECT * FROM settings WHERE key NOT LIKE 'security-log.%' ORDER BY rowid"
            : $"SELECT * FROM \"{table}\" ORDER BY rowid";
#pragma warning restore CA2100
        using var reader = command.ExecuteReader();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        while (reader.Read())
        {
            for (var i = 0; i < reader.FieldCount; i++)
            {
                if (ExcludedColumns.Contains(table + "." + reader.GetName(i)))
                {
                    continue;
                }

                var value = reader.IsDBNull(i) ? "<null>" : reader.GetValue(i) is byte[] bytes ? Convert.ToHexString(bytes) : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);
                hash.AppendData(System.Text.Encoding.UTF8.GetBytes(reader.GetName(i) + "=" + value + "\u001f"));
            }

            hash.AppendData("\u001e"u8);
        }

        return Convert.ToHexString(hash.GetHashAndReset());
    }
}
