using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace Iris.Camera.Media;

/// <summary>
/// Turns decrypted H.264 segments (fragmented MP4 records) into a standard MP4 that every player opens with the
/// right duration and frame rate. One segment: ffmpeg copies the streams (no re-encoding) and moves the index to
/// the front (<c>+faststart</c>). A time range: the segments are joined (concat) and cut to the range's first and
/// last frame, which needs a re-encode, since a copy can only cut at a keyframe (one a second). Both need seekable
/// files, so ffmpeg works in an owner-only directory on tmpfs (<see cref="RamDirectory"/>, RAM, never the data
/// disk: recordings never touch the disk in plaintext); the result is read back and the directory removed before
/// the answer is sent. ffmpeg reads only its standard input or, for a range, the files the daemon wrote into that
/// directory (<c>-protocol_whitelist</c> pipe or file, formats forced).
/// A crash (or a power cut on a board whose tmpfs is swapped) between writing and removing would leave a decrypted
/// recording there, outside the data directory that deletion, reset and the inventory cover: so every directory
/// is named after the data directory it serves (<see cref="WorkPrefix"/>) and <see cref="SweepLeftovers"/> removes
/// that data directory's leftovers before the daemon opens anything. Another daemon's live exports keep their names.
/// </summary>
internal static class Mp4Export
{
    /// <summary>Where plaintext may briefly live: a RAM file system.</summary>
    public const string RamDirectory = "/dev/shm";

    public static bool Available => Directory.Exists(RamDirectory);

    /// <summary>The name every work directory of this data directory starts with: a hash, so the path itself is not in /dev/shm.</summary>
    public static string WorkPrefix(string dataDirectory) =>
        "iris-export-" + Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(dataDirectory))).AsSpan(0, 8)) + "-";

    /// <summary>Removes the work directories a crashed daemon of this data directory left behind; returns how many.</summary>
    public static int SweepLeftovers(string dataDirectory)
    {
        if (!Available)
        {
            return 0;
        }

        var removed = 0;
        foreach (var leftover in Directory.EnumerateDirectories(RamDirectory, WorkPrefix(dataDirectory) + "*"))
        {
            Directory.Delete(leftover, recursive: true);
            removed++;
        }

        return removed;
    }

    public static Task<byte[]> RemuxAsync(string dataDirectory, IReadOnlyList<RecordedFrame> records, CancellationToken cancellationToken) =>
        InRamDirectoryAsync(dataDirectory, async (directory, output) =>
        {
            await RunAsync(["-protocol_whitelist", "pipe", "-f", "mp4", "-i", "pipe:0", "-map", "0", "-c", "copy", "-movflags", "+faststart", "-f", "mp4", output],
                async input =>
                {
                    foreach (var record in records)
                    {
                        await input.WriteAsync(record.Jpeg, cancellationToken).ConfigureAwait(false);
                    }
                }, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    /// <summary>
    /// Joins segments (each the records of one format-3 segment, oldest first) and keeps <paramref name="duration"/>
    /// from <paramref name="skip"/> into the joined timeline: frame-exact, H.264 with the board's configured
    /// <paramref name="encoder"/> (<see cref="EncoderArguments.Offline"/>) and AAC when there was sound. Throws
    /// <see cref="InvalidDataException"/> with ffmpeg's complaint when it fails.
    /// </summary>
    public static Task<byte[]> JoinAsync(string dataDirectory, string encoder, IReadOnlyList<IReadOnlyList<RecordedFrame>> segments, TimeSpan skip, TimeSpan duration, CancellationToken cancellationToken) =>
        InRamDirectoryAsync(dataDirectory, async (directory, output) =>
        {
            var list = new System.Text.StringBuilder();
            for (var i = 0; i < segments.Count; i++)
            {
                var name = string.Create(CultureInfo.InvariantCulture, $"part-{i}.mp4");
                await using (var part = new FileStream(Path.Combine(directory, name), new FileStreamOptions
                {
                    Mode = FileMode.CreateNew,
                    Access = FileAccess.Write,
                    UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                }))
                {
                    foreach (var record in segments[i])
                    {
                        await part.WriteAsync(record.Jpeg, cancellationToken).ConfigureAwait(false);
                    }
                }

                list.Append("file '").Append(name).Append("'\n");
            }

            var listFile = Path.Combine(directory, "parts.txt");
            await File.WriteAllTextAsync(listFile, list.ToString(), cancellationToken).ConfigureAwait(false);
            var (device, video) = EncoderArguments.Offline(encoder);
            await RunAsync([.. device, "-protocol_whitelist", "file", "-format_whitelist", "concat,mov,mp4,m4a,3gp,3g2,mj2", "-f", "concat", "-safe", "0", "-i", listFile,
                "-ss", Seconds(skip), "-t", Seconds(duration), "-map", "0:v", "-map", "0:a?",
                .. video, "-c:a", "aac", "-b:a", "64k", "-movflags", "+faststart", "-f", "mp4", output],
                _ => Task.CompletedTask, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);

    private static async Task<byte[]> InRamDirectoryAsync(string dataDirectory, Func<string, string, Task> produce, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(RamDirectory, WorkPrefix(dataDirectory) + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            var output = Path.Combine(directory, "export.mp4");
            await produce(directory, output).ConfigureAwait(false);
            if (!File.Exists(output))
            {
                throw new InvalidDataException("ffmpeg wrote no MP4.");
            }

            return await File.ReadAllBytesAsync(output, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task RunAsync(string[] args, Func<Stream, Task> feed, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("ffmpeg")
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/bin:/bin";
        foreach (var arg in (string[])["-hide_banner", "-loglevel", "error", "-nostdin", .. args])
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("ffmpeg did not start.");
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        var nothing = process.StandardOutput.ReadToEndAsync(cancellationToken);
        try
        {
            await feed(process.StandardInput.BaseStream).ConfigureAwait(false);
            process.StandardInput.Close();
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        await Task.WhenAll(errors, nothing).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidDataException("ffmpeg could not make the MP4: " + (await errors).Trim());
        }
    }
}
