using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace Iris.Camera.Storage;

/// <summary>
/// Keeps deleted rows out of the WAL's blocks. SQLite's WAL holds page images: after a row is deleted, older
/// frames with the row stay in <c>iris.db-wal</c>, and a WAL that is truncated or deleted (SQLite deletes it when
/// the last connection closes) leaves them intact in free blocks. So: every connection asks for a persistent WAL
/// (never deleted on close; with no journal_size_limit never truncated by SQLite), and <see cref="Run"/>, after a
/// deletion, checkpoints with RESTART (the next write starts the WAL again at its first frame), overwrites every
/// frame the WAL file holds with zero-filled pages in one transaction, and only then checkpoints with TRUNCATE:
/// the blocks the truncation frees hold zeros.
/// </summary>
internal static partial class WalScrub
{
    private const int PersistWalOp = 10; // SQLITE_FCNTL_PERSIST_WAL
    private const int WalHeaderLength = 32;
    private const int FrameHeaderLength = 24;

    /// <summary>Asks SQLite to keep the WAL file when this connection is the last to close.</summary>
    public static void KeepWalOnClose(SqliteConnection connection)
    {
        var persist = 1;
        var rc = FileControl(connection.Handle!.DangerousGetHandle(), "main", PersistWalOp, ref persist);
        if (rc != 0)
        {
            throw new InvalidOperationException($"SQLite refused SQLITE_FCNTL_PERSIST_WAL ({rc.ToString(CultureInfo.InvariantCulture)}).");
        }
    }

    /// <summary>Overwrites every frame of the WAL with zeros and truncates it; returns how many frames were overwritten.</summary>
    public static long Run(SqliteConnection connection, string databaseFile)
    {
        Checkpoint(connection, "RESTART");
        var wal = new FileInfo(databaseFile + "-wal");
        var pageSize = Convert.ToInt64(DbRows.Scalar(connection, "PRAGMA page_size;"), CultureInfo.InvariantCulture);
        var length = wal.Exists ? wal.Length : 0;
        var frames = Math.Max(0, length - WalHeaderLength + pageSize + FrameHeaderLength - 1) / (pageSize + FrameHeaderLength);
        if (frames > 0)
        {
            // IMMEDIATE: the write lock is taken at once, so the transaction never has to upgrade a read snapshot
            // that a concurrent writer has made stale (which SQLite refuses without waiting).
            using var transaction = connection.BeginTransaction(deferred: false);
            DbRows.Execute(connection, "INSERT INTO storage_scrub (fill) VALUES (zeroblob($bytes));", ("$bytes", (frames + 1) * pageSize));
            DbRows.Execute(connection, "DELETE FROM storage_scrub;");
            transaction.Commit();
        }

        Checkpoint(connection, "TRUNCATE");
        return frames;
    }

    /// <summary>
    /// Runs a checkpoint that must complete: a reader still on old frames makes SQLite report "busy" after its busy
    /// timeout, so it is tried a few times before the deletion is reported as failed.
    /// </summary>
    private static void Checkpoint(SqliteConnection connection, string mode)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA wal_checkpoint({mode});";
            using var reader = command.ExecuteReader();
            if (!reader.Read() || reader.GetInt64(0) == 0)
            {
                return;
            }

            if (attempt == 3)
            {
                throw new InvalidOperationException($"The WAL checkpoint ({mode}) was blocked by another connection.");
            }
        }
    }

    [LibraryImport("e_sqlite3", EntryPoint = "sqlite3_file_control", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int FileControl(IntPtr db, string name, int op, ref int arg);
}
