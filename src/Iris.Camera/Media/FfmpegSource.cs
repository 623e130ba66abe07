using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace Iris.Camera.Media;

/// <summary>
/// A real camera (V4L2 device) or an https:// stream, decoded and re-encoded to MJPEG by an ffmpeg child process
/// (Debian package) that writes JPEGs to its standard output. ffmpeg is confined to what the source kind needs
/// (see <see cref="Arguments"/>): a stream reaches ffmpeg only as bytes on its standard input, fetched by
/// <see cref="HttpsStreamFeed"/>. When ffmpeg ends, the capture ends with a <see cref="FrameSourceException"/>
/// naming why, and <see cref="FrameHub"/> restarts it with growing back-off. Stream URLs are never logged.
/// </summary>
internal sealed partial class FfmpegSource(IActiveVideoSettings settings, MediaOptions options, TimeProvider time, ILogger<FfmpegSource> logger, StreamSoundStatus? soundStatus = null) : IFrameSource
{
    /// <summary>ffmpeg's complaint when the sound output found no sound track in the stream.</summary>
    public const string NoSoundTrack = "does not contain any stream";

    private const int MaxFrameBytes = 8 * 1024 * 1024;
    private const int MaxReasonLength = 200;
    private int _processId;

    /// <summary>The demuxers a stream may use: what IP cameras send over HTTPS. Nothing that reads other files or URLs.</summary>
    public const string StreamFormats = "mpjpeg,mjpeg,mpegts";

    public string Name => settings.Active.Source;

    /// <summary>The running ffmpeg's process id (0 when none); lets supervision be tested with a real kill.</summary>
    public int ProcessId => Volatile.Read(ref _processId);

    /// <summary>
    /// ffmpeg's command line, as separate arguments (no shell). The input is confined twice: by the format, forced
    /// to v4l2 or limited to <see cref="StreamFormats"/> (no lavfi or concat, nothing that opens further inputs),
    /// and by <c>-protocol_whitelist</c> (a stream may read only its pipe: no file, no network). The filter chain
    /// is fixed and built from numbers only; no value from the settings can become an option. With
    /// <paramref name="soundSocket"/> (a stream source with the microphone on), a second output carries the stream's
    /// first sound track as raw PCM to that Unix socket (<c>-protocol_whitelist unix</c> on the output: no file).
    /// </summary>
    public static IReadOnlyList<string> Arguments(ActiveVideo video, int jpegQuality, string? soundSocket = null)
    {
        var args = new List<string> { "-hide_banner", "-loglevel", "error", "-nostdin" };
        var fps = video.FramesPerSecond.ToString(CultureInfo.InvariantCulture);
        if (video.Source == MediaOptions.V4l2Source)
        {
            // The device path matched /dev/videoN; the v4l2 demuxer opens it itself, nothing else is read.
            args.AddRange(["-protocol_whitelist", "file", "-format_whitelist", "v4l2", "-f", "v4l2",
                "-framerate", fps, "-video_size", $"{video.Width}x{video.Height}", "-i", video.Device]);
        }
        else if (video.Source == MediaOptions.StreamSource)
        {
            // At most 2 s of the stream are examined before capture starts (ffmpeg's default is 5 s): a stream
            // without sound is found out, and captured again without it, within SignalTimeout.
            args.AddRange(["-protocol_whitelist", "pipe", "-format_whitelist", StreamFormats, "-analyzeduration", "2000000", "-i", "pipe:0"]);
        }
        else
        {
            throw new ArgumentException($"ffmpeg does not capture the {video.Source} source.", nameof(video));
        }

        args.AddRange([
            "-an", "-vf", $"scale={video.Width}:{video.Height},fps={fps}",
            "-q:v", Math.Clamp(31 - (jpegQuality * 29 / 95), 2, 31).ToString(CultureInfo.InvariantCulture),
            "-f", "image2pipe", "-vcodec", "mjpeg", "pipe:1",
        ]);
        if (soundSocket is not null && video.Source == MediaOptions.StreamSource)
        {
            // "?": a stream without sound fails here with NoSoundTrack, and capture goes on without this output.
            var rate = EncoderArguments.SampleRate.ToString(CultureInfo.InvariantCulture);
            args.AddRange(["-map", "0:a:0?", "-vn", "-protocol_whitelist", "unix", "-f", "s16le", "-ac", "1", "-ar", rate,
                "-flush_packets", "1", "unix:" + soundSocket]);
        }

        return args;
    }

    /// <summary>
    /// Captures until ffmpeg ends. A stream source with the microphone on is first tried with its sound; when the
    /// stream has none, that is reported (<see cref="StreamSoundStatus.NoSound"/>) and the picture is captured
    /// without it, rather than failing the source.
    /// </summary>
    public async IAsyncEnumerable<VideoFrame> CaptureAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var video = settings.Active;
        var withSound = video.Source == MediaOptions.StreamSource && video.Microphone && soundStatus?.For(video) != StreamSoundStatus.NoSound;
        while (true)
        {
            await using var run = RunAsync(video, withSound, cancellationToken).GetAsyncEnumerator(cancellationToken);
            while (true)
            {
                try
                {
                    if (!await run.MoveNextAsync())
                    {
                        yield break;
                    }
                }
                catch (FrameSourceException ex) when (withSound && ex.Reason.Contains(NoSoundTrack, StringComparison.Ordinal))
                {
                    soundStatus?.Report(video, StreamSoundStatus.NoSound);
                    withSound = false;
                    break;
                }

                yield return run.Current;
            }
        }
    }

    private async IAsyncEnumerable<VideoFrame> RunAsync(ActiveVideo video, bool withSound, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var sound = withSound ? StreamSoundReceiver.Start() : null;
        using var feed = video.Source == MediaOptions.StreamSource
            ? await HttpsStreamFeed.OpenAsync(video.StreamUrl, options.StreamCaCertificateFile!, options.SignalTimeout, time, cancellationToken)
            : null;
        var start = new ProcessStartInfo("ffmpeg")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        // Nothing of the daemon's environment (IRIS_PKCS11_PIN may be there) reaches ffmpeg; the stream URL and its
        // credentials never do either: the daemon opens the stream itself and pipes the body into ffmpeg's stdin.
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/bin:/bin";
        foreach (var arg in Arguments(video, options.JpegQuality, sound?.SocketPath))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("ffmpeg did not start.");
        Volatile.Write(ref _processId, process.Id);
        string? lastError = null;
        // Drained so ffmpeg never blocks on a full pipe; its last two lines (the cause, then what failed) are the
        // reason shown for a lost signal.
        string? previousError = null;
        process.ErrorDataReceived += (_, line) =>
        {
            if (!string.IsNullOrWhiteSpace(line.Data))
            {
                lastError = previousError is null ? line.Data : previousError + "; " + line.Data;
                previousError = line.Data;
            }
        };
        process.BeginErrorReadLine();
        using var stopFeeding = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var feeding = feed?.CopyToAsync(process.StandardInput.BaseStream, stopFeeding.Token) ?? Task.FromResult("");
        LogStarted(logger, video.Source, process.Id);
        try
        {
            var output = process.StandardOutput.BaseStream;
            var buffer = new byte[256 * 1024];
            var frame = new MemoryStream();
            long sequence = 0;
            int read;
            while ((read = await output.ReadAsync(buffer, cancellationToken)) > 0)
            {
                // ffmpeg's MJPEG output is JPEGs back to back; a frame ends at the EOI marker (FF D9), which the
                // entropy-coded data cannot contain (0xFF is stuffed there).
                var begin = 0;
                for (var i = 0; i < read; i++)
                {
                    var previous = i > 0 ? buffer[i - 1] : (frame.Length > 0 ? frame.GetBuffer()[frame.Length - 1] : (byte)0);
                    if (previous == 0xFF && buffer[i] == 0xD9)
                    {
                        frame.Write(buffer, begin, i + 1 - begin);
                        begin = i + 1;
                        var jpeg = frame.ToArray();
                        frame.SetLength(0);
                        if (jpeg.Length > 4 && jpeg[0] == 0xFF && jpeg[1] == 0xD8)
                        {
                            if (sequence == 0 && sound is not null)
                            {
                                soundStatus?.Report(video, StreamSoundStatus.Ok);
                            }

                            yield return new VideoFrame(sequence++, time.GetUtcNow(), video.Width, video.Height, jpeg) { Sound = sound?.Take() };
                        }
                    }
                }

                frame.Write(buffer, begin, read - begin);
                if (frame.Length > MaxFrameBytes)
                {
                    frame.SetLength(0); // not a JPEG stream; drop rather than grow
                }
            }

            await process.WaitForExitAsync(CancellationToken.None);
            await stopFeeding.CancelAsync();
            var fed = await feeding;
            LogExited(logger, video.Source, process.ExitCode);
            throw new FrameSourceException(Reason(fed, process.ExitCode, lastError));
        }
        finally
        {
            Volatile.Write(ref _processId, 0);
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            // The feed ends before it is disposed, never while it still writes.
            await stopFeeding.CancelAsync();
            await feeding;
        }
    }

    /// <summary>
    /// Why capture ended, for an administrator: a failure of the stream first (ffmpeg only saw its pipe end), else
    /// ffmpeg's last error line (what it made of the content), else how the stream ended. That line can only name
    /// the device or "pipe:0", never a URL: ffmpeg is given none.
    /// </summary>
    private static string Reason(string fed, int exitCode, string? lastError)
    {
        if (fed.Length > 0 && (fed != HttpsStreamFeed.Ended || exitCode == 0 || lastError is null))
        {
            return fed;
        }

        if (lastError is null)
        {
            return string.Create(CultureInfo.InvariantCulture, $"ffmpeg ended (exit code {exitCode})");
        }

        // ffmpeg prefixes a component's lines with "[name @ 0xADDRESS] ": a memory address means nothing to an owner.
        var clean = ComponentPrefix().Replace(new string([.. lastError.Where(c => !char.IsControl(c))]), "").Trim();
        return "ffmpeg: " + (clean.Length > MaxReasonLength ? clean[..MaxReasonLength] : clean);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\[[^\]\[]{1,64} @ 0x[0-9a-fA-F]{1,16}\] ")]
    private static partial System.Text.RegularExpressions.Regex ComponentPrefix();

    [LoggerMessage(EventId = 4400, Level = LogLevel.Information, Message = "Frame source {Source}: ffmpeg started (pid {ProcessId}).")]
    private static partial void LogStarted(ILogger logger, string source, int processId);

    [LoggerMessage(EventId = 4401, Level = LogLevel.Warning, Message = "Frame source {Source}: ffmpeg exited with code {ExitCode}; it will be restarted.")]
    private static partial void LogExited(ILogger logger, string source, int exitCode);
}
