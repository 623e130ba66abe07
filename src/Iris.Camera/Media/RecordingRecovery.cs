namespace Iris.Camera.Media;

/// <summary>
/// Start-up recovery after a crash or power cut (see Media/README.md): an interrupted segment keeps the prefix of
/// records that authenticate and becomes complete; one with nothing valid is removed, and so is every file the
/// index does not know, with its key. Runs under the <see cref="RecordingStore"/> lock, before the daemon serves.
/// </summary>
internal sealed class RecordingRecovery(RecordingIndex index, SegmentFiles files, RecordingsKey key)
{
    public void Run()
    {
        var indexed = index.All();
        foreach (var (segment, file, complete) in indexed)
        {
            if (complete)
            {
                continue;
            }

            var content = files.ReadPartial(file);
            var result = content is null ? default : key.Open(content);
            // An H.264 segment needs its init record and at least one fragment to hold any picture.
            if (result.Frames is not { Count: > 0 } || (SegmentFormat.IsFmp4(result.Frames) && result.Frames.Count < 2))
            {
                key.EraseSegmentKey(file);
                files.Delete(file);
                index.Delete(segment.Id);
                continue;
            }

            files.TruncatePartial(file, result.ValidLength);
            files.Promote(file);
            index.MarkComplete(segment.Id, result.Frames[^1].CapturedAt, result.Frames.Count, result.ValidLength);
        }

        var known = indexed.Select(s => s.File).ToHashSet(StringComparer.Ordinal);
        key.EraseKeysExcept(known);
        files.RemoveUnknown(known);
    }
}
