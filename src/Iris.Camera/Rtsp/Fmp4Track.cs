namespace Iris.Camera.Rtsp;

/// <summary>One track of the initialization segment, with what RTP and SDP need to describe it.</summary>
internal sealed record Fmp4Track(uint TrackId, TrackKind Kind, uint Timescale, Fmp4TrackDefaults Defaults)
{
    /// <summary>H.264: avcC's parameter sets, profile bytes and NAL length size; null for audio.</summary>
    public AvcConfig? Avc { get; init; }

    /// <summary>AAC: esds's AudioSpecificConfig, sample rate and channels; null for video.</summary>
    public AacConfig? Aac { get; init; }

    public int Width { get; init; }

    public int Height { get; init; }
}

internal enum TrackKind
{
    Video,
    Audio,
}

/// <summary>Sample defaults from <c>trex</c>, overridden per fragment by <c>tfhd</c>.</summary>
internal sealed record Fmp4TrackDefaults(uint Duration, uint Size, uint Flags);

internal sealed record AvcConfig(byte[] ProfileLevel, int NalLengthSize, IReadOnlyList<byte[]> Sps, IReadOnlyList<byte[]> Pps);

internal sealed record AacConfig(byte[] AudioSpecificConfig, int SampleRate, int Channels);

/// <summary>One sample of a fragment: its track, decode time, composition offset (in the track's timescale) and bytes.</summary>
internal readonly record struct Fmp4Sample(uint TrackId, ulong DecodeTime, int CompositionOffset, bool IsSync, ReadOnlyMemory<byte> Data, uint Duration);
