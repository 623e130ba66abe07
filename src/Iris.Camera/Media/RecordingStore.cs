using System.Globalization;
using System.Security.Cryptography;
using Iris.Camera.Platform;
using Iris.Camera.Storage;
using Iris.Camera.Vault;

namespace Iris.Camera.Media;

public sealed record RecordingSegment(long Id, DateTimeOffset StartedAt, DateTimeOffset EndedAt, int Frames, long Bytes);

/// <summary>
/// Encrypted segments on disk and their index in SQLite (see Media/README.md). Files are written as
/// NAME.seg.partial and renamed when complete; start-up recovery keeps the valid prefix of an interrupted one.
/// </summary>
internal sealed class RecordingStore
{
    public const string KeyItem = "recordings-key";
    private readonly CameraDatabase _database;
    private readonly SecretVault _vault;
    private readonly MediaOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();

    public RecordingStore(DataDirectory data, CameraDatabase database, SecretVault vault, MediaOptions options, TimeProvider time)
    {
        Directory = Path.Combine(data.Root, "recordings");
        _database = database;
        _vault = vault;
        _options = options;
        _time = time;
        System.IO.Directory.CreateDirectory(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public string Directory { get; }

    /// <summary>Bumped by <see cref="DeleteAll"/>: a segment begun before it is abandoned, never finished under the new key.</summary>
    public int Generation { get; private set; }

    public SegmentWriter Begin(DateTimeOffset startedAt)
    {
        int generation;
        lock (_lock)
        {
            generation = Generation;
        }

        var segmentId = RandomNumberGenerator.GetBytes(16);
        var file = Convert.ToHexStringLower(segmentId) + ".seg";
        var key = SegmentFormat.DeriveSegmentKey(MasterKey(), segmentId);
        long id;
        using (var connection = _database.OpenConnection())
        using (var insert = connection.CreateCommand())
        {
            insert.CommandText = "INSERT INTO recordings (file, started_at, ended_at, frames, bytes, complete) VALUES ($f, $s, $s, 0, 0, 0) RETURNING id;";
            insert.Parameters.AddWithValue("$f", file);
            insert.Parameters.AddWithValue("$s", Format(startedAt));
            id = Convert.ToInt64(insert.ExecuteScalar(), CultureInfo.InvariantCulture);
        }

        return new SegmentWriter(this, id, Path.Combine(Directory, file), segmentId, key, generation);
    }

    public IReadOnlyList<RecordingSegment> List(DateTimeOffset? from = null, DateTimeOffset? to = null)
    {
        using var connection = _database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, started_at, ended_at, frames, bytes FROM recordings WHERE complete = 1 AND ended_at >= $from AND started_at <= $to ORDER BY started_at;";
        command.Parameters.AddWithValue("$from", Format(from ?? DateTimeOffset.MinValue));
        command.Parameters.AddWithValue("$to", Format(to ?? DateTimeOffset.MaxValue));
        using var reader = command.ExecuteReader();
        var list = new List<RecordingSegment>();
        while (reader.Read())
        {
            list.Add(new RecordingSegment(reader.GetInt64(0), Parse(reader.GetString(1)), Parse(reader.GetString(2)), reader.GetInt32(3), reader.GetInt64(4)));
        }

        return list;
    }

    /// <summary>The decrypted frames of a complete segment, or null when it does not exist; damage is reported, never played.</summary>
    public (IReadOnlyList<RecordedFrame>? Frames, bool Damaged) Read(long id)
    {
        var (file, frames) = Lookup(id);
        if (file is null)
        {
            return (null, false);
        }

        byte[] content;
        try
        {
            content = File.ReadAllBytes(Path.Combine(Directory, file));
        }
        catch (FileNotFoundException)
        {
            return (null, true);
        }

        var result = SegmentFormat.Read(content, MasterKey());
        return result.Problem == SegmentFormat.ReadProblem.None && result.Frames.Count == frames ? (result.Frames, false) : (null, true);
    }

    public bool Delete(long id)
    {
        lock (_lock)
        {
            var (file, _) = Lookup(id);
            if (file is null)
            {
                return false;
            }

            DeleteSegment(id, file);
            return true;
        }
    }

    public int DeleteRange(DateTimeOffset from, DateTimeOffset to)
    {
        var count = 0;
        foreach (var segment in List(from, to))
        {
            count += Delete(segment.Id) ? 1 : 0;
        }

        return count;
    }

    /// <summary>Deletes every segment and destroys the recordings key, so no copy of a segment can be decrypted.</summary>
    public int DeleteAll()
    {
        lock (_lock)
        {
            var count = 0;
            foreach (var file in System.IO.Directory.EnumerateFiles(Directory))
            {
                File.Delete(file);
                count++;
            }

            using (var connection = _database.OpenConnection())
            using (var delete = connection.CreateCommand())
            {
                delete.CommandText = "DELETE FROM recordings;";
                delete.ExecuteNonQuery();
            }

            _vault.Delete(KeyItem);
            NativeMethods.FsyncDirectory(Directory);
            Generation++;
            return count;
        }
    }

    /// <summary>Removes the oldest segments past retention, over quota, or while free space is below the minimum.</summary>
    public int EnforceRetention()
    {
        lock (_lock)
        {
            var removed = 0;
            var segments = ListWithFiles();
            var total = segments.Sum(s => s.Segment.Bytes);
            var cutoff = _time.GetUtcNow() - _options.RecordingRetention;
            foreach (var (segment, file) in segments)
            {
                var lowOnDisk = new DriveInfo(Directory).AvailableFreeSpace < _options.MinimumFreeBytes;
                if (segment.EndedAt >= cutoff && total <= _options.RecordingQuotaBytes && !lowOnDisk)
                {
                    break;
                }

                DeleteSegment(segment.Id, file);
                total -= segment.Bytes;
                removed++;
            }

            return removed;
        }
    }

    /// <summary>After a crash: keep what authenticates of interrupted segments, drop files without an index entry.</summary>
    public void RecoverInterrupted()
    {
        lock (_lock)
        {
            AtomicFile.RemoveInterruptedWrites(Directory);
            var indexed = new Dictionary<string, (long Id, bool Complete)>(StringComparer.Ordinal);
            using (var connection = _database.OpenConnection())
            using (var command = connection.CreateCommand())
            {
                command.CommandText = "SELECT id, file, complete FROM recordings;";
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    indexed[reader.GetString(1)] = (reader.GetInt64(0), reader.GetInt64(2) == 1);
                }
            }

            foreach (var (file, (id, complete)) in indexed)
            {
                var path = Path.Combine(Directory, file);
                if (complete)
                {
                    continue;
                }

                var partial = path + ".partial";
                if (!File.Exists(partial))
                {
                    DeleteSegment(id, file);
                    continue;
                }

                var content = File.ReadAllBytes(partial);
                var result = SegmentFormat.Read(content, MasterKey());
                if (result.Frames.Count == 0)
                {
                    DeleteSegment(id, file);
                    continue;
                }

                using (var stream = new FileStream(partial, FileMode.Open, FileAccess.Write))
                {
                    stream.SetLength(result.ValidLength);
                    stream.Flush(flushToDisk: true);
                }

                FinishLocked(id, partial, path, result.Frames[^1].CapturedAt, result.Frames.Count, result.ValidLength);
            }

            foreach (var path in System.IO.Directory.EnumerateFiles(Directory))
            {
                var name = Path.GetFileName(path);
                var baseName = name.EndsWith(".partial", StringComparison.Ordinal) ? name[..^".partial".Length] : name;
                if (!indexed.ContainsKey(baseName))
                {
                    File.Delete(path);
                }
            }
        }
    }

    internal void Finish(long id, string partialPath, string finalPath, DateTimeOffset endedAt, int frames, long bytes, int generation)
    {
        lock (_lock)
        {
            if (generation != Generation)
            {
                DeleteSegment(id, Path.GetFileName(finalPath));
                return;
            }

            FinishLocked(id, partialPath, finalPath, endedAt, frames, bytes);
        }
    }

    private void FinishLocked(long id, string partialPath, string finalPath, DateTimeOffset endedAt, int frames, long bytes)
    {
        File.Move(partialPath, finalPath, overwrite: true);
        NativeMethods.FsyncDirectory(Directory);
        using var connection = _database.OpenConnection();
        using var update = connection.CreateCommand();
        update.CommandText = "UPDATE recordings SET ended_at = $e, frames = $f, bytes = $b, complete = 1 WHERE id = $id;";
        update.Parameters.AddWithValue("$e", Format(endedAt));
        update.Parameters.AddWithValue("$f", frames);
        update.Parameters.AddWithValue("$b", bytes);
        update.Parameters.AddWithValue("$id", id);
        update.ExecuteNonQuery();
    }

    internal void Abandon(long id, string file) => DeleteSegment(id, Path.GetFileName(file));

    private byte[] MasterKey()
    {
        var read = _vault.Unseal(KeyItem);
        if (read.Status == VaultReadStatus.Ok)
        {
            return read.Secret!;
        }

        if (read.Status == VaultReadStatus.Corrupt)
        {
            throw new CryptographicException($"The recordings key cannot be unsealed: {read.Failure}");
        }

        var key = RandomNumberGenerator.GetBytes(32);
        _vault.Seal(KeyItem, key);
        return key;
    }

    private (string? File, int Frames) Lookup(long id)
    {
        using var connection = _database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT file, frames FROM recordings WHERE id = $id AND complete = 1;";
        command.Parameters.AddWithValue("$id", id);
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetString(0), reader.GetInt32(1)) : (null, 0);
    }

    private List<(RecordingSegment Segment, string File)> ListWithFiles()
    {
        using var connection = _database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, started_at, ended_at, frames, bytes, file FROM recordings WHERE complete = 1 ORDER BY started_at;";
        using var reader = command.ExecuteReader();
        var list = new List<(RecordingSegment, string)>();
        while (reader.Read())
        {
            list.Add((new RecordingSegment(reader.GetInt64(0), Parse(reader.GetString(1)), Parse(reader.GetString(2)), reader.GetInt32(3), reader.GetInt64(4)), reader.GetString(5)));
        }

        return list;
    }

    private void DeleteSegment(long id, string file)
    {
        File.Delete(Path.Combine(Directory, file));
        File.Delete(Path.Combine(Directory, file + ".partial"));
        using var connection = _database.OpenConnection();
        using var delete = connection.CreateCommand();
        delete.CommandText = "DELETE FROM recordings WHERE id = $id;";
        delete.Parameters.AddWithValue("$id", id);
        delete.ExecuteNonQuery();
    }

    private static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset Parse(string at) => DateTimeOffset.Parse(at, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}

/// <summary>Appends sealed frames to one segment file; <see cref="Complete"/> makes it durable and visible.</summary>
internal sealed class SegmentWriter : IDisposable
{
    private readonly RecordingStore _store;
    private readonly string _finalPath;
    private readonly string _partialPath;
    private readonly byte[] _segmentId;
    private readonly AesGcm _aead;
    private readonly FileStream _stream;
    private long _index;
    private DateTimeOffset _last;
    private bool _done;

    private readonly int _generation;

    public SegmentWriter(RecordingStore store, long id, string finalPath, byte[] segmentId, byte[] key, int generation)
    {
        _generation = generation;
        _store = store;
        Id = id;
        _finalPath = finalPath;
        _partialPath = finalPath + ".partial";
        _segmentId = segmentId;
        _aead = new AesGcm(key, 16);
        CryptographicOperations.ZeroMemory(key);
        _stream = new FileStream(_partialPath, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = AtomicFile.OwnerOnly,
        });
        _stream.Write(SegmentFormat.Header(segmentId));
    }

    public long Id { get; }

    public DateTimeOffset StartedAt { get; private set; }

    public int Frames => (int)_index;

    public void Append(VideoFrame frame)
    {
        if (_store.Generation != _generation)
        {
            return; // everything was deleted meanwhile: write nothing more; Complete abandons the file
        }

        if (_index == 0)
        {
            StartedAt = frame.CapturedAt;
        }

        // Sealed in memory first: no plaintext byte of a frame is ever written to the file.
        _stream.Write(SegmentFormat.SealRecord(_aead, _segmentId, _index++, frame.CapturedAt, frame.Jpeg.Span));
        _stream.Flush();
        _last = frame.CapturedAt;
    }

    public void Complete()
    {
        if (_done)
        {
            return;
        }

        _done = true;
        _stream.Flush(flushToDisk: true);
        var bytes = _stream.Length;
        _stream.Dispose();
        _aead.Dispose();
        if (_index == 0)
        {
            _store.Abandon(Id, _finalPath);
            return;
        }

        _store.Finish(Id, _partialPath, _finalPath, _last, (int)_index, bytes, _generation);
    }

    public void Dispose() => Complete();
}
