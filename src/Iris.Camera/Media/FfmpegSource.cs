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
internal sealed partial class FfmpegSource(IActiveVideoSettings settings, MediaOptions options, TimeProvider time, ILogger<FfmpegSource> logger) : IFrameSource
{
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
    /// is fixed and built from numbers only; no value from the settings can become an option.
    /// </summary>
    public static IReadOnlyList<string> Arguments(ActiveVideo video, int jpegQuality)
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
            args.AddRange(["-protocol_whitelist", "pipe", "-format_whitelist", StreamFormats, "-i", "pipe:0"]);
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
        return args;
    }

    public async IAsyncEnumerable<VideoFrame> CaptureAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var video = settings.Active;
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
        foreach (var arg in Arguments(video, options.JpegQuality))
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
                            yield return new VideoFrame(sequence++, time.GetUtcNow(), video.Width, video.Height, jpeg);
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

        var clean = new string([.. lastError.Where(c => !char.IsControl(c))]).Trim();
        return "ffmpeg: " + (clean.Length > MaxReasonLength ? clean[..MaxReasonLength] : clean);
    }

    [LoggerMessage(EventId = 4400, Level = LogLevel.Information, Message = "Frame source {Source}: ffmpeg started (pid {ProcessId}).")]
    private static partial void LogStarted(ILogger logger, string source, int processId);

    [LoggerMessage(EventId = 4401, Level = LogLevel.Warning, Message = "Frame source {Source}: ffmpeg exited with code {ExitCode}; it will be restarted.")]
    private static partial void LogExited(ILogger logger, string source, int exitCode);
}
