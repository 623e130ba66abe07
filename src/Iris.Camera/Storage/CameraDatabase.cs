using System.Globalization;
using Iris.Camera.Hosting;
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

    private CameraDatabase(string connectionString) => _connectionString = connectionString;

    public static CameraDatabase Open(string path)
    {
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
        var database = new CameraDatabase(connectionString);

        try
        {
            using var connection = database.OpenConnection();
            Execute(connection, "PRAGMA journal_mode=WAL;");
            var check = Scalar(connection, "PRAGMA quick_check;");
            if (!string.Equals(check, "ok", StringComparison.Ordinal))
            {
                throw new StartupException($"Database '{path}' failed its integrity check ({check}). Restore it or factory-reset the device.");
            }

            Migrate(connection, path);
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
            insert.Parameters.AddWithValue("$at", at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
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
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM settings WHERE key = $key;";
        command.Parameters.AddWithValue("$key", key);
        return command.ExecuteScalar() as string;
    }

    public void SetSetting(string key, string value, DateTimeOffset at)
    {
        using var connection = OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO settings (key, value, updated_at) VALUES ($key, $value, $now)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at;
            """;
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$value", value);
        command.Parameters.AddWithValue("$now", at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        command.ExecuteNonQuery();
    }

    public long CountBoots()
    {
        using var connection = OpenConnection();
        return long.Parse(Scalar(connection, "SELECT COUNT(*) FROM boot_log;"), CultureInfo.InvariantCulture);
    }

    private static void Migrate(SqliteConnection connection, string path)
    {
        var version = int.Parse(Scalar(connection, "PRAGMA user_version;"), CultureInfo.InvariantCulture);
        if (version > Migrations.LatestVersion)
        {
            throw new StartupException(
                $"Database '{path}' has schema version {version}, newer than this software supports ({Migrations.LatestVersion}). " +
                "Install the newer software again; the database is left untouched.");
        }

        for (var next = version + 1; next <= Migrations.LatestVersion; next++)
        {
            using var transaction = connection.BeginTransaction();
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = Migrations.All[next - 1] + $"\nPRAGMA user_version = {next.ToString(CultureInfo.InvariantCulture)};";
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
