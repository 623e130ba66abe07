namespace Iris.Camera.Media;

/// <summary>Video settings (section Iris:Media).</summary>
public sealed class MediaOptions : Platform.IBoundSettings<MediaOptions>
{
    public const string SectionName = "Iris:Media";

    public static MediaOptions? Bind(IConfiguration section) => section.Get<MediaOptions>(Platform.SettingsBinding.Strict);
    public const string TestPatternSource = "test-pattern";
    public const string V4l2Source = "v4l2";
    public const string StreamSource = "stream";

    /// <summary>test-pattern (default, runs anywhere), v4l2 (a USB/CSI camera), or stream (an https:// stream).</summary>
    public string Source { get; set; } = TestPatternSource;

    /// <summary>The V4L2 device for Source = v4l2.</summary>
    public string Device { get; set; } = "/dev/video0";

    /// <summary>The https:// address for Source = stream (see <see cref="VideoSourceRules"/>).</summary>
    public string StreamUrl { get; set; } = "";

    /// <summary>PEM with the CA(s), or the camera's own certificate, that an https:// stream's server must chain to.</summary>
    public string? StreamCaCertificateFile { get; set; }

    /// <summary>How long a source may take to deliver its first frame (or go without one) before it counts as "no signal".</summary>
    public TimeSpan SignalTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public int Width { get; set; } = 1280;

    public int Height { get; set; } = 720;

    public int FramesPerSecond { get; set; } = 15;

    public int JpegQuality { get; set; } = 80;

    /// <summary>The H.264 encoder (one of <see cref="EncoderArguments.Encoders"/>): libx264 in software, or the board's hardware encoder.</summary>
    public string Encoder { get; set; } = "libx264";

    /// <summary>
    /// What recordings hold: "h264" (sealed fragmented MP4, H.264 + sound while the microphone is on: about a tenth
    /// of the bytes, exportable as a standard MP4; the default) or "mjpeg" (sealed JPEGs, for boards without the CPU
    /// to encode). When the encoder cannot start, H.264 recording falls back to MJPEG and says so (<see cref="Recorder.Format"/>).
    /// </summary>
    public string RecordingFormat { get; set; } = H264Recording;

    public const string MjpegRecording = "mjpeg";
    public const string H264Recording = "h264";

    /// <summary>The ALSA capture device for the microphone with a V4L2 source: "default" or "hw:CARD,DEVICE" (a stream source brings its own sound).</summary>
    public string AudioDevice { get; set; } = "default";

    /// <summary>Whether the test pattern's block moves (a still scene is useful to check motion detection).</summary>
    public bool TestPatternMoves { get; set; } = true;

    /// <summary>Concurrent live streams in all; one more is refused with 503.</summary>
    public int MaxViewers { get; set; } = 16;

    /// <summary>Live streams one session may hold open; one more is refused with 429.</summary>
    public int MaxStreamsPerSession { get; set; } = 2;

    /// <summary>Live streams one account may hold open over all its sessions; one more is refused with 429.</summary>
    public int MaxStreamsPerAccount { get; set; } = 4;

    /// <summary>The last slots of <see cref="MaxViewers"/> that only administrators may take, so a viewer can never lock them out.</summary>
    public int AdministratorReservedStreams { get; set; } = 2;

    /// <summary>Frames buffered per viewer; a slow viewer loses its oldest frames, never stalls the others.</summary>
    public int ViewerBufferFrames { get; set; } = 2;

    /// <summary>How often an open stream re-checks its session (revoked or expired sessions end within this).</summary>
    public TimeSpan SessionRecheckInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How long one write to a live viewer (a frame, a fragment) may wait for the client to read before the stream is
    /// ended and its slot given back: a phone gone from Wi-Fi without closing, or a player that stopped reading, would
    /// otherwise hold its slot until the kernel gives up (~15 min). A live picture that late is of no use to anyone.
    /// </summary>
    public TimeSpan LiveWriteTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Length of one recording segment; a power cut loses at most the segment being written.</summary>
    public TimeSpan SegmentLength { get; set; } = TimeSpan.FromSeconds(60);

    public TimeSpan RecordingRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Most disk space recordings may use; the oldest go first.</summary>
    public long RecordingQuotaBytes { get; set; } = 1L << 30;

    /// <summary>Free space always left on the data disk, whatever the quota says.</summary>
    public long MinimumFreeBytes { get; set; } = 256L << 20;

    /// <summary>How long motion-triggered recording continues after the last motion.</summary>
    public TimeSpan MotionRecordingTail { get; set; } = TimeSpan.FromSeconds(30);

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (SegmentLength < TimeSpan.FromSeconds(1) || SegmentLength > TimeSpan.FromMinutes(10) || RecordingRetention < TimeSpan.FromHours(1)
            || RecordingQuotaBytes < (1L << 20) || MinimumFreeBytes < 0 || MotionRecordingTail < TimeSpan.FromSeconds(1))
        {
            errors.Add($"{SectionName}: SegmentLength 1 s-10 min, RecordingRetention at least 1 h, RecordingQuotaBytes at least 1 MiB, MinimumFreeBytes and MotionRecordingTail positive.");
        }

        foreach (var (field, message) in VideoSourceRules.Check(ActiveVideo.From(this), !string.IsNullOrWhiteSpace(StreamCaCertificateFile)))
        {
            errors.Add($"{SectionName}:{char.ToUpperInvariant(field[0])}{field[1..]}: {message}");
        }

        if (StreamCaCertificateFile is { Length: > 0 } caFile && !File.Exists(caFile))
        {
            errors.Add($"{SectionName}:StreamCaCertificateFile names no file.");
        }

        if (SignalTimeout < TimeSpan.FromSeconds(1) || SignalTimeout > TimeSpan.FromMinutes(1))
        {
            errors.Add($"{SectionName}:SignalTimeout must be 1-60 seconds.");
        }

        if (VideoSourceRules.EncoderProblem(Encoder) is { } encoder)
        {
            errors.Add($"{SectionName}:Encoder: {encoder}");
        }

        if (RecordingFormat is not (MjpegRecording or H264Recording))
        {
            errors.Add($"{SectionName}:RecordingFormat must be {H264Recording} or {MjpegRecording}.");
        }

        if (VideoSourceRules.AudioDeviceProblem(AudioDevice) is { } audio)
        {
            errors.Add($"{SectionName}:AudioDevice: {audio}");
        }

        if (JpegQuality is < 30 or > 95)
        {
            errors.Add($"{SectionName}:JpegQuality must be 30-95.");
        }

        if (MaxViewers is < 1 or > 64 || ViewerBufferFrames is < 1 or > 16)
        {
            errors.Add($"{SectionName}: MaxViewers must be 1-64 and ViewerBufferFrames 1-16.");
        }

        if (MaxStreamsPerSession < 1 || MaxStreamsPerAccount < MaxStreamsPerSession || MaxStreamsPerAccount > 64)
        {
            errors.Add($"{SectionName}: MaxStreamsPerSession must be at least 1, and MaxStreamsPerAccount at least that and at most 64.");
        }

        if (AdministratorReservedStreams < 0 || AdministratorReservedStreams >= MaxViewers)
        {
            errors.Add($"{SectionName}:AdministratorReservedStreams must be 0 or more and less than MaxViewers, so viewers keep at least one slot.");
        }

        if (SessionRecheckInterval <= TimeSpan.Zero || SessionRecheckInterval > TimeSpan.FromSeconds(1))
        {
            errors.Add($"{SectionName}:SessionRecheckInterval must be positive and at most 1 second.");
        }

        if (LiveWriteTimeout < TimeSpan.FromSeconds(1) || LiveWriteTimeout > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{SectionName}:LiveWriteTimeout must be 1 second to 5 minutes.");
        }

        return errors;
    }
}
