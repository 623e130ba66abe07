using Iris.Shared;
using Microsoft.Data.Sqlite;

namespace Iris.Factory.Provisioning;

/// <summary>
/// The factory's serial ledger: one SQLite file that every station on the line opens. A serial is taken inside
/// a write transaction (BEGIN IMMEDIATE, so two stations serialise on the database lock) that bumps the model
/// prefix's counter and records the serial under a UNIQUE constraint; the counter never goes back, so a
/// re-run order, a crashed station or a failed device never gets a serial that was handed out before.
/// </summary>
internal sealed class SerialLedger : IDisposable
{
    private readonly SqliteConnection _connection;

    private SerialLedger(SqliteConnection connection) => _connection = connection;

    public static SerialLedger Open(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = 60,
        }.ToString());
        connection.Open();
        Execute(connection, """
            PRAGMA busy_timeout = 60000;
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = FULL;
            CREATE TABLE IF NOT EXISTS counters (prefix TEXT PRIMARY KEY, last INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS serials (
                serial TEXT PRIMARY KEY,
                prefix TEXT NOT NULL,
                sequence INTEGER NOT NULL,
                station TEXT NOT NULL,
                order_id TEXT NOT NULL,
                issued_at TEXT NOT NULL,
                certificate_sha256 TEXT,
                UNIQUE (prefix, sequence));
            """);
        return new SerialLedger(connection);
    }

    /// <summary>Takes the next serial for <paramref name="prefix"/>; it is recorded before it is returned.</summary>
    public string Issue(string prefix, string station, string orderId, DateTimeOffset now)
    {
        if (!FactorySerial.IsValidPrefix(prefix))
        {
            throw new ArgumentException($"Model prefix '{prefix}' must be 2-6 capital letters or digits, starting with a letter, not DEV.");
        }

        using var transaction = _connection.BeginTransaction(deferred: false);
        using var bump = _connection.CreateCommand();
        bump.Transaction = transaction;
        bump.CommandText = """
            INSERT INTO counters (prefix, last) VALUES ($p, 1)
            ON CONFLICT (prefix) DO UPDATE SET last = last + 1
            RETURNING last;
            """;
        bump.Parameters.AddWithValue("$p", prefix);
        var sequence = (long)bump.ExecuteScalar()!;
        var serial = FactorySerial.Format(prefix, sequence);

        using var record = _connection.CreateCommand();
        record.Transaction = transaction;
        record.CommandText = """
            INSERT INTO serials (serial, prefix, sequence, station, order_id, issued_at)
            VALUES ($s, $p, $n, $station, $order, $at);
            """;
        record.Parameters.AddWithValue("$s", serial);
        record.Parameters.AddWithValue("$p", prefix);
        record.Parameters.AddWithValue("$n", sequence);
        record.Parameters.AddWithValue("$station", station);
        record.Parameters.AddWithValue("$order", orderId);
        record.Parameters.AddWithValue("$at", now.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        record.ExecuteNonQuery();
        transaction.Commit();
        return serial;
    }

    /// <summary>Records the certificate issued for a serial (once; a serial never gets a second certificate).</summary>
    public void RecordCertificate(string serial, string sha256)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "UPDATE serials SET certificate_sha256 = $c WHERE serial = $s AND certificate_sha256 IS NULL;";
        command.Parameters.AddWithValue("$s", serial);
        command.Parameters.AddWithValue("$c", sha256);
        if (command.ExecuteNonQuery() != 1)
        {
            throw new InvalidOperationException($"Serial {serial} is not in the ledger or already has a certificate.");
        }
    }

    public IReadOnlyList<string> AllSerials()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT serial FROM serials ORDER BY serial;";
        using var reader = command.ExecuteReader();
        var serials = new List<string>();
        while (reader.Read())
        {
            serials.Add(reader.GetString(0));
        }

        return serials;
    }

    public void Dispose() => _connection.Dispose();

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
