using System.Diagnostics;
using System.Globalization;

namespace Iris.Camera.Media;

/// <summary>
/// A small JPEG (<see cref="Width"/> pixels wide) of a recording at an offset, for the timeline and motion events.
/// Made from the decrypted segment when asked, never stored: it lives and dies with the sealed segment it comes
/// from (deleting the segment deletes every thumbnail of it; nothing else holds the picture). ffmpeg reads only its
/// standard input (<c>-protocol_whitelist pipe</c>, format forced: mp4 for H.264 segments, mjpeg for JPEG ones) and
/// writes the JPEG to its standard output; nothing touches a disk.
/// </summary>
internal static class Thumbnail
{
    public const int Width = 160;

    public static async Task<byte[]> MakeAsync(IReadOnlyList<RecordedFrame> records, TimeSpan offset, CancellationToken cancellationToken)
    {
        var fmp4 = SegmentFormat.IsFmp4(records);
        var start = new ProcessStartInfo("ffmpeg")
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/bin:/bin";
        foreach (var arg in (string[])["-hide_banner", "-loglevel", "error", "-nostdin", "-protocol_whitelist", "pipe", "-f", fmp4 ? "mp4" : "mjpeg", "-i", "pipe:0",
            "-ss", offset.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture), "-frames:v", "1",
            "-vf", string.Create(CultureInfo.InvariantCulture, $"scale={Width}:-2"), "-q:v", "5", "-f", "image2pipe", "-c:v", "mjpeg", "pipe:1"])
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("ffmpeg did not start.");
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        using var jpeg = new MemoryStream();
        var output = process.StandardOutput.BaseStream.CopyToAsync(jpeg, cancellationToken);
        try
        {
            foreach (var record in records)
            {
                await process.StandardInput.BaseStream.WriteAsync(record.Jpeg, cancellationToken).ConfigureAwait(false);
            }

            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // ffmpeg had its frame and stopped reading.
        }

        try
        {
            await Task.WhenAll(output, errors).ConfigureAwait(false);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        if (process.ExitCode != 0 || jpeg.Length < 4)
        {
            throw new InvalidDataException("ffmpeg made no thumbnail: " + (await errors).Trim());
        }

        return jpeg.ToArray();
    }
}
