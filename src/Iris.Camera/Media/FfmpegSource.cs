using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace Iris.Camera.Media;

/// <summary>
/// A real camera (V4L2 device) or a file/stream, decoded and re-encoded to MJPEG by an ffmpeg child process
/// (Debian package) that writes JPEGs to its standard output. When ffmpeg dies the enumeration ends, and
/// <see cref="FrameHub"/> restarts it with growing back-off. Input URLs may hold credentials: they are never logged.
/// </summary>
internal sealed partial class FfmpegSource(MediaOptions options, TimeProvider time, ILogger<FfmpegSource> logger) : IFrameSource
{
    private const int MaxFrameBytes = 8 * 1024 * 1024;
    private int _processId;

    public string Name => options.Source;

    /// <summary>The running ffmpeg's process id (0 when none); lets supervision be tested with a real kill.</summary>
    public int ProcessId => Volatile.Read(ref _processId);

    public static IReadOnlyList<string> Arguments(MediaOptions options)
    {
        var args = new List<string> { "-hide_banner", "-loglevel", "error", "-nostdin" };
        var fps = options.FramesPerSecond.ToString(CultureInfo.InvariantCulture);
        if (options.Source == MediaOptions.V4l2Source)
        {
            args.AddRange(["-f", "v4l2", "-framerate", fps, "-video_size", $"{options.Width}x{options.Height}", "-i", options.Device]);
        }
        else if (options.StreamUrl.StartsWith("lavfi:", StringComparison.Ordinal))
        {
            // ffmpeg's built-in generators (for demonstrations and tests): lavfi:testsrc2=size=320x240:rate=10
            args.AddRange(["-re", "-f", "lavfi", "-i", options.StreamUrl["lavfi:".Length..]]);
        }
        else if (File.Exists(options.StreamUrl))
        {
            args.AddRange(["-re", "-stream_loop", "-1", "-i", options.StreamUrl]);
        }
        else
        {
            args.AddRange(["-i", options.StreamUrl]);
        }

        args.AddRange([
            "-an", "-vf", $"scale={options.Width}:{options.Height},fps={fps}",
            "-q:v", Math.Clamp(31 - (options.JpegQuality * 29 / 95), 2, 31).ToString(CultureInfo.InvariantCulture),
            "-f", "image2pipe", "-vcodec", "mjpeg", "pipe:1",
        ]);
        return args;
    }

    public async IAsyncEnumerable<VideoFrame> CaptureAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("ffmpeg")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in Arguments(options))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("ffmpeg did not start.");
        Volatile.Write(ref _processId, process.Id);
        process.ErrorDataReceived += (_, _) => { }; // drained so ffmpeg never blocks on a full pipe; may hold URLs
        process.BeginErrorReadLine();
        LogStarted(logger, options.Source, process.Id);
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
                            yield return new VideoFrame(sequence++, time.GetUtcNow(), options.Width, options.Height, jpeg);
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
            LogExited(logger, options.Source, process.ExitCode);
        }
        finally
        {
            Volatile.Write(ref _processId, 0);
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    [LoggerMessage(EventId = 4400, Level = LogLevel.Information, Message = "Frame source {Source}: ffmpeg started (pid {ProcessId}).")]
    private static partial void LogStarted(ILogger logger, string source, int processId);

    [LoggerMessage(EventId = 4401, Level = LogLevel.Warning, Message = "Frame source {Source}: ffmpeg exited with code {ExitCode}; it will be restarted.")]
    private static partial void LogExited(ILogger logger, string source, int exitCode);
}
