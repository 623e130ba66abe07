namespace Iris.Camera.Media;

/// <summary>
/// The live encoded stream (H.264 video and, while the microphone is on, AAC sound) as fragmented MP4: the one
/// form every consumer of encoded media reads (the browser's MSE player, RTSPS for recorders, the recorder, the
/// platform relay), so the source is encoded once however many watch.
/// </summary>
public interface ILiveMediaFeed
{
    /// <summary>
    /// Follows the live stream. The first item is the initialization segment (<c>ftyp</c> + <c>moov</c>, one track
    /// per stream, video first); every later item is one media fragment (<c>moof</c> + <c>mdat</c>), the first of them
    /// starting with a keyframe. The sequence completes when the encoding changes (a new initialization segment
    /// follows for a new subscription) or capture stops (privacy mode, source gone); a slow reader loses whole
    /// fragments up to the next keyframe, never part of one.
    /// </summary>
    IAsyncEnumerable<MediaFragment> FollowAsync(CancellationToken cancellationToken);
}

/// <summary>One top-level piece of a fragmented MP4 stream; see <see cref="ILiveMediaFeed"/>.</summary>
/// <param name="Bytes">Whole boxes: ftyp+moov for an initialization segment, moof+mdat for a fragment.</param>
/// <param name="IsInitialization">Whether this is the initialization segment.</param>
/// <param name="StartsWithKeyframe">Whether a decoder can start at this fragment.</param>
public sealed record MediaFragment(ReadOnlyMemory<byte> Bytes, bool IsInitialization, bool StartsWithKeyframe)
{
    /// <summary>
    /// When the fragment's first picture was captured, by the encoder's media clock (its decode time after the run's
    /// first capture), or null when the feed does not know. Recordings are timed by it, not by when the fragment
    /// came out of the encoder, which bunches after a gap it filled.
    /// </summary>
    public DateTimeOffset? CapturedAt { get; init; }
}
