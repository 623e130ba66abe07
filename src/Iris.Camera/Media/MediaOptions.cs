namespace Iris.Camera.Media;

/// <summary>Video settings (section Iris:Media).</summary>
public sealed class MediaOptions
{
    public const string SectionName = "Iris:Media";
    public const string TestPatternSource = "test-pattern";
    public const string V4l2Source = "v4l2";
    public const string StreamSource = "stream";

    /// <summary>test-pattern (default, runs anywhere), v4l2 (a USB/CSI camera), or stream (a file or URL).</summary>
    public string Source { get; set; } = TestPatternSource;

    /// <summary>The V4L2 device for Source = v4l2.</summary>
    public string Device { get; set; } = "/dev/video0";

    /// <summary>File path or URL for Source = stream (lavfi:GENERATOR for ffmpeg's built-in test sources).</summary>
    public string StreamUrl { get; set; } = "";

    public int Width { get; set; } = 1280;

    public int Height { get; set; } = 720;

    public int FramesPerSecond { get; set; } = 15;

    public int JpegQuality { get; set; } = 80;

    /// <summary>Whether the test pattern's block moves (a still scene is useful to check motion detection).</summary>
    public bool TestPatternMoves { get; set; } = true;

    /// <summary>Concurrent live viewers; one more is refused with 503.</summary>
    public int MaxViewers { get; set; } = 16;

    /// <summary>Frames buffered per viewer; a slow viewer loses its oldest frames, never stalls the others.</summary>
    public int ViewerBufferFrames { get; set; } = 2;

    /// <summary>How often an open stream re-checks its session (revoked or expired sessions end within this).</summary>
    public TimeSpan SessionRecheckInterval { get; set; } = TimeSpan.FromMilliseconds(500);

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

        if (Width is < 160 or > 3840 || Height is < 120 or > 2160 || Width % 2 != 0 || Height % 2 != 0)
        {
            errors.Add($"{SectionName}: Width must be 160-3840 and Height 120-2160, both even.");
        }

        if (Source is not (TestPatternSource or V4l2Source or StreamSource))
        {
            errors.Add($"{SectionName}:Source must be {TestPatternSource}, {V4l2Source} or {StreamSource}.");
        }

        if (Source == V4l2Source && !System.Text.RegularExpressions.Regex.IsMatch(Device, "^/dev/video[0-9]{1,3}$"))
        {
            errors.Add($"{SectionName}:Device must be a V4L2 device such as /dev/video0.");
        }

        if (Source == StreamSource && (string.IsNullOrWhiteSpace(StreamUrl) || StreamUrl.StartsWith('-') || StreamUrl.Length > 2048))
        {
            errors.Add($"{SectionName}:StreamUrl must name a file or URL for the stream source.");
        }

        if (FramesPerSecond is < 1 or > 30)
        {
            errors.Add($"{SectionName}:FramesPerSecond must be 1-30.");
        }

        if (JpegQuality is < 30 or > 95)
        {
            errors.Add($"{SectionName}:JpegQuality must be 30-95.");
        }

        if (MaxViewers is < 1 or > 64 || ViewerBufferFrames is < 1 or > 16)
        {
            errors.Add($"{SectionName}: MaxViewers must be 1-64 and ViewerBufferFrames 1-16.");
        }

        if (SessionRecheckInterval <= TimeSpan.Zero || SessionRecheckInterval > TimeSpan.FromSeconds(1))
        {
            errors.Add($"{SectionName}:SessionRecheckInterval must be positive and at most 1 second.");
        }

        return errors;
    }
}
