using System.Globalization;

namespace Iris.Camera.Media;

/// <summary>Where the encoder's sound comes from: none (microphone off), the daemon's test tone, the network stream's own sound (relayed by the daemon like the tone), or an ALSA device.</summary>
internal enum AudioInput
{
    None,
    TestTone,
    Alsa,
    StreamSound,
}

/// <summary>
/// The encoder child's command line, as separate arguments (no shell). Its inputs are confined like
/// <see cref="FfmpegSource"/>'s: the pictures arrive as JPEGs with their capture times on standard input
/// (<see cref="MatroskaPictures"/>, <c>-protocol_whitelist pipe</c>, format forced to <c>matroska</c>); the test tone or a stream's own sound arrives as raw PCM over a Unix socket the daemon created in a
/// private directory (<c>-protocol_whitelist unix</c>, format forced to <c>s16le</c>); a microphone is an ALSA
/// device whose name matched <see cref="VideoSourceRules.AudioDeviceProblem"/> (format forced to <c>alsa</c>).
/// No lavfi, no file, no network. The encoder name comes from <see cref="Encoders"/>, every other value is a number.
/// </summary>
internal static class EncoderArguments
{
    public const int SampleRate = 48000;

    /// <summary>The H.264 encoders a board may choose (Iris:Media:Encoder): software, V4L2 memory-to-memory, VA-API.</summary>
    public static readonly IReadOnlyList<string> Encoders = ["libx264", "h264_v4l2m2m", "h264_vaapi"];

    /// <summary>The bit rate for a picture size and rate: about 0.03 bit per pixel, enough for a mostly still scene.</summary>
    public static int BitsPerSecond(int width, int height, int framesPerSecond) =>
        (int)Math.Clamp((long)width * height * framesPerSecond * 3 / 100, 100_000, 8_000_000);

    public static IReadOnlyList<string> Build(ActiveVideo video, string encoder, AudioInput audio, string audioSource)
    {
        if (!Encoders.Contains(encoder))
        {
            throw new ArgumentException("Not an allowed encoder.", nameof(encoder));
        }

        var fps = video.FramesPerSecond.ToString(CultureInfo.InvariantCulture);
        var args = new List<string> { "-hide_banner", "-loglevel", "error", "-nostdin" };
        if (encoder == "h264_vaapi")
        {
            args.AddRange(["-vaapi_device", "/dev/dri/renderD128"]);
        }

        // Tiny probe: the format is forced, and every buffered frame would be latency. The pictures carry their
        // capture times (MatroskaPictures), not a rate: a picture that never arrived is a gap to fill, not lost time.
        args.AddRange(["-protocol_whitelist", "pipe", "-format_whitelist", "matroska", "-f", "matroska",
            "-probesize", "32", "-analyzeduration", "0", "-i", "pipe:0"]);
        if (audio is AudioInput.TestTone or AudioInput.StreamSound)
        {
            // No probing here either: ffmpeg reads no picture while it opens this input, so waiting for seconds of
            // sound would fill the picture pipe, stop the feeder, and with it the sound it waits for.
            args.AddRange(["-protocol_whitelist", "unix", "-format_whitelist", "s16le", "-f", "s16le", "-ar", Rate, "-ac", "1",
                "-probesize", "32", "-analyzeduration", "0", "-i", "unix:" + audioSource]);
        }
        else if (audio == AudioInput.Alsa)
        {
            if (VideoSourceRules.AudioDeviceProblem(audioSource) is not null)
            {
                throw new ArgumentException("Not an allowed audio device.", nameof(audioSource));
            }

            args.AddRange(["-format_whitelist", "alsa", "-f", "alsa", "-ar", Rate, "-ac", "1", "-i", audioSource]);
        }

        // Constant rate out: a gap in the capture times is filled by repeating the picture before it, after decoding.
        args.AddRange(["-map", "0:v", "-fps_mode", "cfr", "-r", fps]);
        if (audio != AudioInput.None)
        {
            args.AddRange(["-map", "1:a"]);
        }

        var size = string.Create(CultureInfo.InvariantCulture, $"{video.Width}:{video.Height}");
        var rate = BitsPerSecond(video.Width, video.Height, video.FramesPerSecond).ToString(CultureInfo.InvariantCulture);
        args.AddRange(encoder == "h264_vaapi"
            ? ["-vf", $"scale={size},format=nv12,hwupload"]
            : ["-vf", $"scale={size},format=yuv420p"]);
        args.AddRange(["-c:v", encoder, "-b:v", rate, "-maxrate", rate, "-bufsize", rate, "-g", fps]);
        if (encoder == "libx264")
        {
            // No lookahead, no B-frames: a frame leaves the encoder as soon as it is in.
            args.AddRange(["-preset", "ultrafast", "-tune", "zerolatency", "-profile:v", "baseline", "-keyint_min", fps, "-sc_threshold", "0"]);
        }

        args.AddRange(audio == AudioInput.None ? ["-an"] : ["-c:a", "aac", "-b:a", "64k"]);
        // One fragment per frame: the browser and recorders get each frame as soon as it is encoded.
        var fragment = (1_000_000 / video.FramesPerSecond).ToString(CultureInfo.InvariantCulture);
        args.AddRange(["-f", "mp4", "-movflags", "frag_keyframe+empty_moov+default_base_moof", "-frag_duration", fragment,
            "-flush_packets", "1", "pipe:1"]);
        return args;
    }

    /// <summary>
    /// The arguments for a re-encode of recordings (range export) with <paramref name="encoder"/>: what goes before
    /// the input (the VA-API device) and the video encoding. The same encoder as live, since a board chose it for
    /// what it has (a hardware encoder where libx264 would take the CPU for seconds per minute of video); libx264 uses
    /// ultrafast, the hardware encoders their own defaults.
    /// </summary>
    public static (string[] BeforeInput, string[] Video) Offline(string encoder) => encoder switch
    {
        "libx264" => ([], ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]),
        "h264_v4l2m2m" => ([], ["-c:v", "h264_v4l2m2m", "-pix_fmt", "yuv420p"]),
        "h264_vaapi" => (["-vaapi_device", "/dev/dri/renderD128"], ["-vf", "format=nv12,hwupload", "-c:v", "h264_vaapi"]),
        _ => throw new ArgumentException("Not an allowed encoder.", nameof(encoder)),
    };

    private static string Rate => SampleRate.ToString(CultureInfo.InvariantCulture);
}
