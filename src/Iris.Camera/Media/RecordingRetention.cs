namespace Iris.Camera.Media;

/// <summary>
/// Keeps recordings within their limits (see Media/README.md): the oldest complete segments go while they are
/// older than <see cref="MediaOptions.RecordingRetention"/>, the total is over
/// <see cref="MediaOptions.RecordingQuotaBytes"/>, or free disk is below <see cref="MediaOptions.MinimumFreeBytes"/>.
/// Runs under the <see cref="RecordingStore"/> lock.
/// </summary>
internal sealed class RecordingRetention(RecordingIndex index, SegmentFiles files, RecordingsKey key, MediaOptions options, TimeProvider time)
{
    /// <summary>Removes segments until every limit holds; returns how many went.</summary>
    public int Enforce()
    {
        var segments = index.All().Where(s => s.Complete).ToList();
        var total = segments.Sum(s => s.Segment.Bytes);
        var cutoff = time.GetUtcNow() - options.RecordingRetention;
        var removed = 0;
        foreach (var (segment, file, _) in segments)
        {
            var lowOnDisk = files.AvailableFreeBytes < options.MinimumFreeBytes;
            if (segment.EndedAt >= cutoff && total <= options.RecordingQuotaBytes && !lowOnDisk)
            {
                break;
            }

            key.EraseSegmentKey(file);
            files.Delete(file);
            index.Delete(segment.Id);
            total -= segment.Bytes;
            removed++;
        }

        return removed;
    }
}
