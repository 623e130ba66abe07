using System.Diagnostics;
using System.Security.Cryptography;

namespace Iris.Camera.Media;

/// <summary>
/// Turns a decrypted H.264 segment (fragmented MP4 records) into a standard MP4 that every player opens with the
/// right duration and frame rate: ffmpeg copies the streams (no re-encoding) and moves the index to the front
/// (<c>+faststart</c>). That needs a seekable output, so ffmpeg writes into an owner-only directory on tmpfs
/// (<see cref="RamDirectory"/>, RAM, never the data disk: recordings never touch the disk in plaintext); the
/// result is read back and the directory removed before the answer is sent. ffmpeg reads only its standard input
/// (<c>-protocol_whitelist pipe</c>, format forced to mp4).
/// </summary>
internal static class Mp4Export
{
    /// <summary>Where plaintext may briefly live: a RAM file system.</summary>
    public const string RamDirectory = "/dev/shm";

    public static bool Available => Directory.Exists(RamDirectory);

    public static async Task<byte[]> RemuxAsync(IReadOnlyList<RecordedFrame> records, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(RamDirectory, "iris-export-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8)));
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            var output = Path.Combine(directory, "export.mp4");
            var start = new ProcessStartInfo("ffmpeg")
            {
                RedirectStandardInput = true,
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            start.Environment.Clear();
            start.Environment["PATH"] = "/usr/bin:/bin";
            foreach (var arg in (string[])["-hide_banner", "-loglevel", "error", "-nostdin", "-protocol_whitelist", "pipe", "-f", "mp4", "-i", "pipe:0",
                "-map", "0", "-c", "copy", "-movflags", "+faststart", "-f", "mp4", output])
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException("ffmpeg did not start.");
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            var nothing = process.StandardOutput.ReadToEndAsync(cancellationToken);
            try
            {
                foreach (var record in records)
                {
                    await process.StandardInput.BaseStream.WriteAsync(record.Jpeg, cancellationToken).ConfigureAwait(false);
                }

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
            if (process.ExitCode != 0 || !File.Exists(output))
            {
                throw new InvalidDataException("ffmpeg could not remux the recording: " + (await errors).Trim());
            }

            return await File.ReadAllBytesAsync(output, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
