using System.Globalization;
using Iris.Camera.Platform;
using Microsoft.Data.Sqlite;

namespace Iris.Camera.Storage;

/// <summary>
/// The device database: SQLite in WAL mode with synchronous=FULL, so a committed transaction survives a power
/// cut. Opening checks integrity and schema version and refuses, with a clear reason, a damaged file or one
/// written by newer software; it never resets data silently.
/// </summary>
internal sealed class CameraDatabase
{
    private const int BootLogRetained = 1000;
    private static ReadOnlySpan<byte> SqliteHeader => "SQLite format 3\0"u8;

    private readonly string _connectionString;
    private readonly string _path;
    private readonly Lock _scrubLock = new();

    private CameraDatabase(string connectionString, string path) => (_connectionString, _path) = (connectionString, path);

    /// <summary>The in-process queue the sign-in path's writers take turns in (<see cref="WriterQueue"/>).</summary>
    public WriterQueue Writers { get; } = new();

    /// <summary>Opens (or creates) the database and brings it to the schema the modules declare.</summary>
    public static CameraDatabase Open(string path, IEnumerable<SchemaMigration> schema)
    {
        var steps = SchemaPlan.Order(schema);
        if (File.Exists(path))
        {
            RejectIfNotSqlite(path);
        }

        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            ForeignKeys = true,
            DefaultTimeout = 5,
        }.ToString();
        var database = new CameraDatabase(connectionString, path);

        try
        {
            using var connection = database.OpenConnection();
            Execute(connection, "PRAGMA journal_mode=WAL;");
            var check = Scalar(connection, "PRAGMA quick_check;");
            if (!string.Equals(check, "ok", StringComparison.Ordinal))
            {
                throw new StartupException($"Database '{path}' failed its integrity check ({check}). Restore it or factory-reset the device.");
            }

            Migrate(connection, path, steps);
        }
        catch (SqliteException ex)
        {
            SqliteConnection.ClearAllPools();
            throw new StartupException($"Database '{path}' cannot be opened: SQLite error {ex.SqliteErrorCode}. Restore it or factory-reset the device.", ex);
        }

        return database;
    }

    /// <summary>A new open connection with the per-connection settings every writer relies on.</summary>
    public SqliteConnection OpenConnection()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        WalScrub.KeepWalOnClose(connection);
        // secure_delete overwrites freed pages, so deleted personal data is not left in the file.
        Execute(connection, "PRAGMA synchronous=FULL; PRAGMA secure_delete=ON; PRAGMA busy_timeout=5000;");
        return connection;
    }

    public void RecordBoot(DateTimeOffset at, string softwareVersion, string identityOrigin)
    {
        using var connection = OpenConnection();
        using var transaction = connection.BeginTransaction();
        using (var insert = connection.CreateCommand())
        {
            insert.CommandText = "INSERT INTO boot_log (started_at, software_version, identity_origin) VALUES ($at, $version, $origin);";
            insert.Parameters.AddWithValue("$at", DbTime.Format(at));
            insert.Parameters.AddWithValue("$version", softwareVersion);
            insert.Parameters.AddWithValue("$origin", identityOrigin);
            insert.ExecuteNonQuery();
        }

        using (var trim = connection.CreateCommand())
        {
            trim.CommandText = "DELETE FROM boot_log WHERE id <= (SELECT MAX(id) FROM boot_log) - $keep;";
            trim.Parameters.AddWithValue("$keep", BootLogRetained);
            trim.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    public string? GetSetting(string key)
    {
        using var connection = OpenConnection();
        return GetSetting(connection, key);
    }

    public void SetSetting(string key, string value, DateTimeOffset at)
    {
        using var connection = OpenConnection();
        SetSetting(connection, key, value, at);
    }

    /// <summary>Reads a setting on the caller's connection, inside its transaction if it has one.</summary>
    public static string? GetSetting(SqliteConnection connection, string key) =>
        DbRows.Scalar(connection, "SELECT value FROM settings WHERE key = $key;", ("$key", key)) as string;

    /// <summary>Writes a setting on the caller's connection, so it commits or rolls back with the caller's rows.</summary>
    public static void SetSetting(SqliteConnection connection, string key, string value, DateTimeOffset at) =>
        DbRows.Execute(connection, """
            INSERT INTO settings (key, value, updated_at) VALUES ($key, $value, $now)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at;
            """, ("$key", key), ("$value", value), ("$now", DbTime.Format(at)));

    public static void DeleteSetting(SqliteConnection connection, string key) =>
        DbRows.Execute(connection, "DELETE FROM settings WHERE key = $key;", ("$key", key));

    /// <summary>How many settings are stored (a health check that the database answers).</summary>
    public long CountSettings()
    {
        using var connection = OpenConnection();
        return Convert.ToInt64(DbRows.Scalar(connection, "SELECT count(*) FROM settings;"), CultureInfo.InvariantCulture);
    }

    /// <summary>The tables that exist now (for the stored-data inventory check).</summary>
    public IReadOnlyList<string> ListTables()
    {
        using var connection = OpenConnection();
        return DbRows.Query(connection, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name;", r => r.GetString(0));
    }

    /// <summary>
    /// Ends every delete path: moves the WAL into the database (where secure_delete has zeroed the deleted rows),
    /// overwrites every WAL frame in place and truncates it (<see cref="WalScrub"/>). No VACUUM: it copies live
    /// pages to new places and frees the old ones intact, so a row deleted later would survive in a free block.
    /// </summary>
    public void Compact()
    {
        // One scrub at a time: two would each restart the WAL and interleave their frames.
        lock (_scrubLock)
        {
            using var connection = OpenConnection();
            WalScrub.Run(connection, _path);
        }
    }

    public long CountBoots()
    {
        using var connection = OpenConnection();
        return long.Parse(Scalar(connection, "SELECT COUNT(*) FROM boot_log;"), CultureInfo.InvariantCulture);
    }

    private static void Migrate(SqliteConnection connection, string path, IReadOnlyList<string> steps)
    {
        var version = int.Parse(Scalar(connection, "PRAGMA user_version;"), CultureInfo.InvariantCulture);
        if (version > steps.Count)
        {
            throw new StartupException(
                $"Database '{path}' has schema version {version}, newer than this software supports ({steps.Count}). " +
                "Install the newer software again; the database is left untouched.");
        }

        for (var next = version + 1; next <= steps.Count; next++)
        {
            using var transaction = connection.BeginTransaction();
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = steps[next - 1] + $"\nPRAGMA user_version = {next.ToString(CultureInfo.InvariantCulture)};";
            command.ExecuteNonQuery();
            transaction.Commit();
        }
    }

    private static void RejectIfNotSqlite(string path)
    {
        Span<byte> header = stackalloc byte[16];
        int read;
        using (var stream = File.OpenRead(path))
        {
            read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        }

        // A zero-length file is what SQLite itself leaves after a crash before the first page was written.
        if (read != 0 && (read < header.Length || !header.SequenceEqual(SqliteHeader)))
        {
            throw new StartupException($"Database '{path}' is not a SQLite database (damaged or replaced). Restore it or factory-reset the device.");
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture) ?? string.Empty;
    }
}
