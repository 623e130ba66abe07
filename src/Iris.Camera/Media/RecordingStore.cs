using System.Security.Cryptography;

namespace Iris.Camera.Media;

/// <summary>
/// The recordings as one consistent whole (see Media/README.md): it puts the index, the sealed segment files and
/// the recordings key together and serialises what changes more than one of them, so that a segment is visible
/// only once it is durable, and "delete all" leaves nothing readable behind.
/// </summary>
internal sealed class RecordingStore(RecordingIndex index, SegmentFiles files, RecordingsKey key, RecordingRetention retention, RecordingRecovery recovery)
{
    public const string KeyItem = RecordingsKey.VaultItem;
    private readonly Lock _lock = new();

    public string Directory => files.Directory;

    /// <summary>Free bytes on the disk that holds the recordings.</summary>
    public long AvailableFreeBytes => files.AvailableFreeBytes;

    /// <summary>Bumped by <see cref="DeleteAll"/>: a segment begun before it is abandoned, never finished under the new key.</summary>
    public int Generation { get; private set; }

    public SegmentWriter Begin(DateTimeOffset startedAt, byte version = SegmentFormat.RandomKeyVersion)
    {
        int generation;
        lock (_lock)
        {
            generation = Generation;
        }

        var segmentId = RandomNumberGenerator.GetBytes(16);
        var file = SegmentFiles.NameFor(segmentId);
        var segmentKey = key.NewSegmentKey(segmentId);
        var id = index.Insert(file, startedAt);
        return new SegmentWriter(this, id, file, files.CreatePartial(file), segmentId, segmentKey, generation, version);
    }

    public IReadOnlyList<RecordingSegment> List(DateTimeOffset? from = null, DateTimeOffset? to = null) =>
        index.List(from ?? DateTimeOffset.MinValue, to ?? DateTimeOffset.MaxValue);

    /// <summary>The decrypted frames of a complete segment, or null when it does not exist; damage is reported, never played.</summary>
    public (IReadOnlyList<RecordedFrame>? Frames, bool Damaged) Read(long id)
    {
        if (index.Lookup(id) is not var (file, frames))
        {
            return (null, false);
        }

        if (files.ReadComplete(file) is not { } content)
        {
            return (null, true);
        }

        var result = key.Open(content);
        return result.Problem == SegmentFormat.ReadProblem.None && result.Frames.Count == frames ? (result.Frames, false) : (null, true);
    }

    /// <summary>Deletes one segment: its key is erased in place, its file and row go, and the WAL is scrubbed.</summary>
    public bool Delete(long id)
    {
        var deleted = DeleteOne(id);
        if (deleted)
        {
            index.ScrubDeleted();
        }

        return deleted;
    }

    public int DeleteRange(DateTimeOffset from, DateTimeOffset to)
    {
        var count = 0;
        foreach (var segment in List(from, to))
        {
            count += DeleteOne(segment.Id) ? 1 : 0;
        }

        if (count > 0)
        {
            index.ScrubDeleted();
        }

        return count;
    }

    /// <summary>Deletes every segment and destroys the recordings key, so no copy of a segment can be decrypted.</summary>
    public int DeleteAll()
    {
        lock (_lock)
        {
            // The keys first: from here no segment file, nor any carved copy of one, decrypts.
            key.Destroy();
            var count = files.DeleteEverything();
            index.DeleteAll();
            index.ScrubDeleted();
            Generation++;
            return count;
        }
    }

    /// <summary>Removes the oldest segments past retention, over quota, or while free space is below the minimum.</summary>
    public int EnforceRetention()
    {
        lock (_lock)
        {
            var removed = retention.Enforce();
            if (removed > 0)
            {
                index.ScrubDeleted();
            }

            return removed;
        }
    }

    /// <summary>After a crash: keep what authenticates of interrupted segments, drop files without an index entry.</summary>
    public void RecoverInterrupted()
    {
        lock (_lock)
        {
            recovery.Run();
        }
    }

    private bool DeleteOne(long id)
    {
        lock (_lock)
        {
            if (index.Lookup(id) is not var (file, _))
            {
                return false;
            }

            // The key first: once its slot is zeros, no copy of the file (a carved free block) decrypts.
            key.EraseSegmentKey(file);
            files.Delete(file);
            index.Delete(id);
            return true;
        }
    }

    internal void Finish(long id, string file, DateTimeOffset endedAt, int frames, long bytes, int generation)
    {
        lock (_lock)
        {
            if (generation != Generation)
            {
                Abandon(id, file);
                return;
            }

            files.Promote(file);
            index.MarkComplete(id, endedAt, frames, bytes);
        }
    }

    internal void Abandon(long id, string file)
    {
        key.EraseSegmentKey(file);
        files.Delete(file);
        index.Delete(id);
    }
}
