using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Iris.Camera.Media;

/// <summary>
/// One run of the encoder child: the frames of one <see cref="FrameSubscription"/> (JPEGs, whatever the source)
/// go to ffmpeg's standard input, the test tone or the stream's own sound (or nothing, or the ALSA microphone) is its second input, and its
/// fragmented MP4 output comes back as <see cref="MediaFragment"/>s. The run ends when the frames end (privacy
/// mode, capture stopped), the settings in force change, ffmpeg ends, or the caller cancels; the child is killed,
/// never left behind. Nothing of the daemon's environment reaches the child.
/// </summary>
internal sealed partial class H264Encoder(IActiveVideoSettings settings, MediaOptions options, ILogger<H264Encoder> logger)
{
    private const int MaxQueuedAudioChunks = 300;
    private int _processId;

    /// <summary>The running child's process id (0 when none); lets supervision be tested with a real kill.</summary>
    public int ProcessId => Volatile.Read(ref _processId);

    /// <summary>The reason the last run ended, in words (ffmpeg's last error line when it had one).</summary>
    public string? LastFailure { get; private set; }

    public async IAsyncEnumerable<MediaFragment> RunAsync(ActiveVideo video, ChannelReader<VideoFrame> frames, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var audio = !video.Microphone ? AudioInput.None : video.Source switch
        {
            MediaOptions.TestPatternSource => AudioInput.TestTone,
            MediaOptions.StreamSource => AudioInput.StreamSound,
            _ => AudioInput.Alsa,
        };
        var socketDirectory = audio is AudioInput.TestTone or AudioInput.StreamSound ? Directory.CreateTempSubdirectory("iris-encoder-") : null;
        var socketPath = socketDirectory is null ? "" : Path.Combine(socketDirectory.FullName, "audio.sock");
        using var listener = socketDirectory is null ? null : Listen(socketPath);
        var start = new ProcessStartInfo("ffmpeg")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/bin:/bin";
        foreach (var arg in EncoderArguments.Build(video, options.Encoder, audio, audio == AudioInput.Alsa ? options.AudioDevice : socketPath))
        {
            start.ArgumentList.Add(arg);
        }

        var started = TryStart(start);
        if (started is null)
        {
            // Said, not thrown: the recorder falls back to MJPEG and shows this reason.
            LastFailure = "ffmpeg is not installed or cannot run";
            socketDirectory?.Delete(recursive: true);
            yield break;
        }

        using var process = started;
        Volatile.Write(ref _processId, process.Id);
        LogStarted(logger, video.Width, video.Height, video.FramesPerSecond, audio, process.Id);
        string? lastError = null;
        process.ErrorDataReceived += (_, line) =>
        {
            if (!string.IsNullOrWhiteSpace(line.Data))
            {
                lastError = line.Data;
            }
        };
        process.BeginErrorReadLine();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tone = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(MaxQueuedAudioChunks) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = true });
        var timeline = new CaptureTimeline(video.FramesPerSecond);
        var feeding = FeedPicturesAsync(video, settings, frames, timeline, process.StandardInput.BaseStream, FrameSound(video, audio), tone.Writer, stop);
        var sounding = listener is null ? Task.CompletedTask : FeedToneAsync(listener, tone.Reader, stop.Token);
        try
        {
            uint timescale = 0;
            await foreach (var fragment in Fmp4Splitter.SplitAsync(process.StandardOutput.BaseStream, stop.Token).ConfigureAwait(false))
            {
                if (fragment.IsInitialization)
                {
                    timescale = Fmp4Splitter.FirstTrackTimescale(fragment.Bytes.Span);
                    yield return fragment;
                }
                else
                {
                    yield return CapturedAt(fragment, timeline.Origin, timescale);
                }
            }

            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            LastFailure = lastError is null ? null : "ffmpeg: " + new string([.. lastError.Where(c => !char.IsControl(c))]).Trim();
            LogExited(logger, process.ExitCode);
        }
        finally
        {
            Volatile.Write(ref _processId, 0);
            await stop.CancelAsync().ConfigureAwait(false);
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await Task.WhenAll(feeding, sounding).ConfigureAwait(false);
            socketDirectory?.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Copies frames to ffmpeg, each with its capture time (<see cref="CaptureTimeline"/>, <see cref="MatroskaPictures"/>)
    /// and its sound up to that time, until they end or the settings change (a new run then starts with the new ones),
    /// then closes its input so it finishes the last fragment and exits.
    /// </summary>
    private static async Task FeedPicturesAsync(ActiveVideo video, IActiveVideoSettings settings, ChannelReader<VideoFrame> frames, CaptureTimeline timeline, Stream input, IFrameSound? sound, ChannelWriter<byte[]> tone, CancellationTokenSource stop)
    {
        try
        {
            await input.WriteAsync(MatroskaPictures.Header(video.Width, video.Height, video.FramesPerSecond), stop.Token).ConfigureAwait(false);
            await foreach (var frame in frames.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                if (frame.Width != video.Width || frame.Height != video.Height || settings.Active != video)
                {
                    break;
                }

                var at = (long)timeline.Next(frame.CapturedAt).TotalMilliseconds;
                // The frame's sound goes first: if ffmpeg is not reading pictures yet, the sound must not wait for them.
                if (sound is not null)
                {
                    sound.Arrived(frame);
                    tone.TryWrite(sound.NextFrame(at));
                }

                await input.WriteAsync(MatroskaPictures.PictureStart(at, frame.Jpeg.Length), stop.Token).ConfigureAwait(false);
                await input.WriteAsync(frame.Jpeg, stop.Token).ConfigureAwait(false);
                await input.FlushAsync(stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // Cancelled, or ffmpeg is gone (its exit ends the run).
        }
        finally
        {
            tone.TryComplete();
            try
            {
                await input.DisposeAsync().ConfigureAwait(false);
            }
            catch (IOException)
            {
                // ffmpeg already gone
            }
        }
    }

    /// <summary>The fragment stamped with its first picture's capture time: the run's first capture plus its decode time.</summary>
    private static MediaFragment CapturedAt(MediaFragment fragment, DateTimeOffset? origin, uint timescale) =>
        origin is { } start && timescale > 0 && Fmp4Splitter.FirstDecodeTime(fragment.Bytes.Span) is { } decode
            ? fragment with { CapturedAt = start + TimeSpan.FromSeconds((double)decode / timescale) }
            : fragment;

    /// <summary>Each picture's share of sound for the socket input: the test tone, or the stream's own sound paced out; null for none or ALSA.</summary>
    private static IFrameSound? FrameSound(ActiveVideo video, AudioInput audio) => audio switch
    {
        AudioInput.TestTone => new TestTone(video.FramesPerSecond),
        AudioInput.StreamSound => new StreamSoundPacer(video.FramesPerSecond),
        _ => null,
    };

    private static async Task FeedToneAsync(Socket listener, ChannelReader<byte[]> tone, CancellationToken cancellationToken)
    {
        try
        {
            using var connection = await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
            await foreach (var chunk in tone.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await connection.SendAsync(chunk, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }

            connection.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException)
        {
            // Cancelled, or ffmpeg is gone.
        }
    }

    private static Process? TryStart(ProcessStartInfo start)
    {
        try
        {
            return Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    /// <summary>A socket only ffmpeg (same user, the directory is owner-only) can reach; accepts one connection.</summary>
    private static Socket Listen(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        socket.Listen(1);
        return socket;
    }

    [LoggerMessage(EventId = 4410, Level = LogLevel.Information, Message = "Encoder: ffmpeg started for {Width}x{Height} at {Fps} fps, sound {Audio} (pid {ProcessId}).")]
    private static partial void LogStarted(ILogger logger, int width, int height, int fps, AudioInput audio, int processId);

    [LoggerMessage(EventId = 4411, Level = LogLevel.Information, Message = "Encoder: ffmpeg exited with code {ExitCode}.")]
    private static partial void LogExited(ILogger logger, int exitCode);
}
