using System.Buffers;
using System.Globalization;
using Iris.Camera.Media;

namespace Iris.Camera.Rtsp;

/// <summary>
/// The media side of one RTSPS connection: its subscription to the live feed (opened by DESCRIBE, so the SDP
/// describes exactly the stream that will be sent), the tracks the client set up, and the loop that turns each
/// fragment into interleaved RTP. The first fragment sent starts with a keyframe, so the client can decode at once.
/// </summary>
internal sealed class RtspMediaSession : IAsyncDisposable
{
    private readonly IAsyncEnumerator<MediaFragment> _feed;
    private readonly Dictionary<uint, RtpPacketizer> _packetizers = [];
    private MediaFragment? _pending;

    private RtspMediaSession(IAsyncEnumerator<MediaFragment> feed, IReadOnlyList<Fmp4Track> tracks, MediaFragment first)
    {
        _feed = feed;
        Tracks = tracks;
        _pending = first;
        var video = tracks.FirstOrDefault(t => t.Kind == TrackKind.Video);
        var sample = video is null ? default : Fmp4Reader.ReadFragment(first.Bytes, tracks).FirstOrDefault(s => s.TrackId == video.TrackId);
        FrameRate = video is not null && sample.Duration > 0 ? (double)video.Timescale / sample.Duration : null;
    }

    public IReadOnlyList<Fmp4Track> Tracks { get; }

    /// <summary>Frames per second, from the first video sample's duration; announced in the SDP.</summary>
    public double? FrameRate { get; }

    public IReadOnlyCollection<RtpPacketizer> SetUp => _packetizers.Values;

    /// <summary>
    /// Follows the feed until its initialization segment and a first keyframe fragment arrive; null when the feed
    /// ends first or sends a track we cannot describe, or nothing came within <paramref name="timeout"/>.
    /// </summary>
    public static async Task<RtspMediaSession?> OpenAsync(ILiveMediaFeed feed, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var enumerator = feed.FollowAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            var deadline = time.GetUtcNow() + timeout;
            IReadOnlyList<Fmp4Track>? tracks = null;
            while (await NextAsync(enumerator, deadline - time.GetUtcNow(), time, cancellationToken))
            {
                var fragment = enumerator.Current;
                if (fragment.IsInitialization)
                {
                    tracks = Fmp4Reader.ReadInitialization(fragment.Bytes);
                }
                else if (tracks is { Count: > 0 } && fragment.StartsWithKeyframe)
                {
                    var session = new RtspMediaSession(enumerator, tracks, fragment);
                    enumerator = null;
                    return session;
                }
            }

            return null;
        }
        catch (Exception ex) when (ex is TimeoutException or FormatException)
        {
            return null;
        }
        finally
        {
            if (enumerator is not null)
            {
                await DisposeQuietlyAsync(enumerator);
            }
        }
    }

    /// <summary>Sets up the track at <paramref name="index"/> on interleaved channel <paramref name="channel"/>.</summary>
    public RtpPacketizer SetUpTrack(int index, byte channel)
    {
        var track = Tracks[index];
        if (!_packetizers.TryGetValue(track.TrackId, out var packetizer))
        {
            packetizer = new RtpPacketizer(track, channel);
            _packetizers[track.TrackId] = packetizer;
        }

        return packetizer;
    }

    /// <summary>
    /// The RTP-Info header of the PLAY answer (RFC 2326 12.33): per set-up track, its control URL under
    /// <paramref name="baseUrl"/>, the sequence number of its first packet and that packet's RTP timestamp, taken
    /// from the keyframe fragment held since DESCRIBE (the first thing sent), so a client can map both at once.
    /// </summary>
    public string RtpInfo(string baseUrl)
    {
        IReadOnlyList<Fmp4Sample> first = [];
        try
        {
            first = _pending is null ? [] : Fmp4Reader.ReadFragment(_pending.Bytes, Tracks);
        }
        catch (FormatException)
        {
            // The pump refuses this fragment itself; the header then carries the timestamp base.
        }

        var parts = new List<string>();
        for (var index = 0; index < Tracks.Count; index++)
        {
            if (!_packetizers.TryGetValue(Tracks[index].TrackId, out var packetizer))
            {
                continue;
            }

            // A track with no sample in that fragment gets no rtptime (it is optional): its first timestamp is not known yet.
            var samples = first.Where(s => s.TrackId == packetizer.TrackId).ToList();
            var rtptime = samples.Count == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $";rtptime={packetizer.TimestampOf(samples.MinBy(s => s.DecodeTime))}");
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"url={baseUrl.TrimEnd('/')}/trackID={index};seq={packetizer.NextSequence}{rtptime}"));
        }

        return string.Join(",", parts);
    }

    public bool IsChannelTaken(byte channel, int exceptIndex) =>
        _packetizers.Values.Any(p => p.TrackId != Tracks[exceptIndex].TrackId && (p.Channel == channel || p.Channel + 1 == channel || p.Channel == channel + 1));

    /// <summary>Sends fragments as RTP until the feed ends or the encoding changes (the client then describes again).</summary>
    public async Task PumpAsync(Func<ReadOnlyMemory<byte>, Task> send, TimeProvider time, CancellationToken cancellationToken)
    {
        var output = new ArrayBufferWriter<byte>(64 * 1024);
        while (true)
        {
            var fragment = _pending;
            _pending = null;
            if (fragment is null)
            {
                if (!await _feed.MoveNextAsync())
                {
                    return;
                }

                fragment = _feed.Current;
            }

            if (fragment.IsInitialization)
            {
                return;
            }

            cancellationToken.ThrowIfCancellationRequested();
            output.ResetWrittenCount();
            var samples = Fmp4Reader.ReadFragment(fragment.Bytes, Tracks);
            // Interleave the tracks by presentation time, so a client's jitter buffer sees sound and picture together.
            foreach (var sample in samples.OrderBy(s => Seconds(s)))
            {
                if (_packetizers.TryGetValue(sample.TrackId, out var packetizer))
                {
                    packetizer.Write(sample, output);
                }
            }

            var now = time.GetUtcNow();
            foreach (var packetizer in _packetizers.Values)
            {
                packetizer.WriteSenderReport(now, output);
            }

            await send(output.WrittenMemory);
        }
    }

    private double Seconds(Fmp4Sample sample) =>
        (double)sample.DecodeTime / (Tracks.FirstOrDefault(t => t.TrackId == sample.TrackId)?.Timescale ?? 1);

    private static async Task<bool> NextAsync(IAsyncEnumerator<MediaFragment> enumerator, TimeSpan remaining, TimeProvider time, CancellationToken cancellationToken) =>
        remaining > TimeSpan.Zero
            ? await enumerator.MoveNextAsync().AsTask().WaitAsync(remaining, time, cancellationToken)
            : throw new TimeoutException();

    public ValueTask DisposeAsync() => DisposeQuietlyAsync(_feed);

    private static async ValueTask DisposeQuietlyAsync(IAsyncEnumerator<MediaFragment> enumerator)
    {
        try
        {
            await enumerator.DisposeAsync();
        }
        catch (Exception ex) when (ex is InvalidOperationException or NotSupportedException or OperationCanceledException)
        {
            // A MoveNextAsync still pending (it timed out) makes some enumerators refuse disposal; the feed's own
            // cancellation token ends them.
        }
    }
}
