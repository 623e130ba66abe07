using System.Globalization;
using Iris.Camera.Storage;

namespace Iris.Camera.Media;

public sealed record RecordingSegment(long Id, DateTimeOffset StartedAt, DateTimeOffset EndedAt, int Frames, long Bytes);

/// <summary>One row of the index with the name of its file, for the code that also touches the files.</summary>
internal sealed record IndexedSegment(RecordingSegment Segment, string File, bool Complete);

/// <summary>
/// The index of recording segments: the only code that runs SQL on the <c>recordings</c> table. A row is
/// inserted when a segment begins (incomplete) and marked complete only after its file is durable, so the
/// index never points at a segment that a power cut could still take away.
/// </summary>
internal sealed class RecordingIndex(CameraDatabase database)
{
    public long Insert(string file, DateTimeOffset startedAt)
    {
        using var connection = database.OpenConnection();
        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO recordings (file, started_at, ended_at, frames, bytes, complete) VALUES ($f, $s, $s, 0, 0, 0) RETURNING id;";
        insert.Parameters.AddWithValue("$f", file);
        insert.Parameters.AddWithValue("$s", Format(startedAt));
        return Convert.ToInt64(insert.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    public void MarkComplete(long id, DateTimeOffset endedAt, int frames, long bytes)
    {
        using var connection = database.OpenConnection();
        using var update = connection.CreateCommand();
        update.CommandText = "UPDATE recordings SET ended_at = $e, frames = $f, bytes = $b, complete = 1 WHERE id = $id;";
        update.Parameters.AddWithValue("$e", Format(endedAt));
        update.Parameters.AddWithValue("$f", frames);
        update.Parameters.AddWithValue("$b", bytes);
        update.Parameters.AddWithValue("$id", id);
        update.ExecuteNonQuery();
    }

    /// <summary>Complete segments that overlap [from, to], oldest first.</summary>
    public IReadOnlyList<RecordingSegment> List(DateTimeOffset from, DateTimeOffset to)
    {
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, started_at, ended_at, frames, bytes FROM recordings WHERE complete = 1 AND ended_at >= $from AND started_at <= $to ORDER BY started_at;";
        command.Parameters.AddWithValue("$from", Format(from));
        command.Parameters.AddWithValue("$to", Format(to));
        using var reader = command.ExecuteReader();
        var list = new List<RecordingSegment>();
        while (reader.Read())
        {
            list.Add(new RecordingSegment(reader.GetInt64(0), Parse(reader.GetString(1)), Parse(reader.GetString(2)), reader.GetInt32(3), reader.GetInt64(4)));
        }

        return list;
    }

    /// <summary>Every row, complete or not, oldest first (for retention and start-up recovery).</summary>
    public IReadOnlyList<IndexedSegment> All()
    {
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, started_at, ended_at, frames, bytes, file, complete FROM recordings ORDER BY started_at, id;";
        using var reader = command.ExecuteReader();
        var list = new List<IndexedSegment>();
        while (reader.Read())
        {
            list.Add(new IndexedSegment(
                new RecordingSegment(reader.GetInt64(0), Parse(reader.GetString(1)), Parse(reader.GetString(2)), reader.GetInt32(3), reader.GetInt64(4)),
                reader.GetString(5), reader.GetInt64(6) == 1));
        }

        return list;
    }

    /// <summary>The file and frame count of a complete segment, or null when there is none with this id.</summary>
    public (string File, int Frames)? Lookup(long id)
    {
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT file, frames FROM recordings WHERE id = $id AND complete = 1;";
        command.Parameters.AddWithValue("$id", id);
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetString(0), reader.GetInt32(1)) : null;
    }

    /// <summary>How many complete segments there are and how many bytes they hold.</summary>
    public (long Count, long Bytes) Totals()
    {
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*), COALESCE(SUM(bytes), 0) FROM recordings WHERE complete = 1;";
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    public void Delete(long id)
    {
        using var connection = database.OpenConnection();
        using var delete = connection.CreateCommand();
        delete.CommandText = "DELETE FROM recordings WHERE id = $id;";
        delete.Parameters.AddWithValue("$id", id);
        delete.ExecuteNonQuery();
    }

    public void DeleteAll()
    {
        using var connection = database.OpenConnection();
        using var delete = connection.CreateCommand();
        delete.CommandText = "DELETE FROM recordings;";
        delete.ExecuteNonQuery();
    }

    private static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset Parse(string at) => DateTimeOffset.Parse(at, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    /// <summary>Ends a deletion: the deleted rows leave no page image in the WAL or its freed blocks.</summary>
    public void ScrubDeleted() => database.Compact();
}
