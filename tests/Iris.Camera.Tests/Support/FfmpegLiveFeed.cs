using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Iris.Camera.Media;

namespace Iris.Camera.Tests.Support;

/// <summary>
/// A stand-in for the daemon's encoded live feed until the H.264 encoder is merged: each subscription runs its own
/// ffmpeg child (lavfi test pattern and a sine tone, libx264 zerolatency + AAC, fragmented MP4 on stdout) and splits
/// its output into top-level boxes: ftyp+moov is the initialization segment, each moof+mdat one fragment. With
/// frag_keyframe every fragment starts at a keyframe (one a second, -g = rate).
/// </summary>
public sealed class FfmpegLiveFeed(int width = 320, int height = 240, int rate = 15, bool audio = true) : ILiveMediaFeed
{
    private int _running;

    public int Width => width;

    public int Height => height;

    public int Rate => rate;

    /// <summary>How many ffmpeg children are running now (each subscription has one).</summary>
    public int Running => Volatile.Read(ref _running);

    public async IAsyncEnumerable<MediaFragment> FollowAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("ffmpeg")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        List<string> args =
        [
            "-hide_banner", "-loglevel", "error", "-nostdin",
            "-re", "-f", "lavfi", "-i", $"testsrc2=size={width}x{height}:rate={rate}",
        ];
        if (audio)
        {
            args.AddRange(["-re", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"]);
        }

        args.AddRange(["-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", $"{rate}", "-pix_fmt", "yuv420p"]);
        if (audio)
        {
            args.AddRange(["-c:a", "aac", "-b:a", "64k"]);
        }

        args.AddRange(["-f", "mp4", "-movflags", "frag_keyframe+empty_moov+default_base_moof", "pipe:1"]);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("ffmpeg did not start");
        Interlocked.Increment(ref _running);
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        try
        {
            var output = process.StandardOutput.BaseStream;
            var pending = new List<byte[]>();
            while (await ReadBoxAsync(output, cancellationToken) is { } box)
            {
                var type = System.Text.Encoding.ASCII.GetString(box, 4, 4);
                if (type is "ftyp" or "moof")
                {
                    pending.Clear();
                }

                pending.Add(box);
                if (type is "moov" or "mdat")
                {
                    yield return new MediaFragment(pending.SelectMany(b => b).ToArray(), IsInitialization: type == "moov", StartsWithKeyframe: type == "mdat");
                    pending.Clear();
                }
            }
        }
        finally
        {
            Interlocked.Decrement(ref _running);
            if (!process.HasExited)
            {
                process.Kill();
            }

            await process.WaitForExitAsync(CancellationToken.None);
        }
    }

    private static async Task<byte[]?> ReadBoxAsync(Stream stream, CancellationToken cancellationToken)
    {
        var header = new byte[8];
        if (!await ReadExactlyOrEndAsync(stream, header, cancellationToken))
        {
            return null;
        }

        var size = (int)BinaryPrimitives.ReadUInt32BigEndian(header);
        if (size < 8)
        {
            return null;
        }

        var box = new byte[size];
        header.CopyTo(box, 0);
        return await ReadExactlyOrEndAsync(stream, box.AsMemory(8), cancellationToken) ? box : null;
    }

    private static async Task<bool> ReadExactlyOrEndAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            await stream.ReadExactlyAsync(buffer, cancellationToken);
            return true;
        }
        catch (EndOfStreamException)
        {
            return false;
        }
    }
}
