using System.Diagnostics;

namespace Iris.Camera.Tests.Media;

/// <summary>ffprobe and ffmpeg (Debian packages) as independent judges of what the camera produced.</summary>
internal static class MediaTools
{
    /// <summary>ffprobe's flat description of <paramref name="file"/>'s streams and format ("key=value" lines).</summary>
    public static Task<(int ExitCode, string Output, string Errors)> ProbeAsync(string file) =>
        RunAsync("ffprobe", ["-v", "error", "-show_entries", "stream=codec_type,codec_name,width,height,r_frame_rate,avg_frame_rate,nb_frames,sample_rate:format=duration", "-of", "flat", file]);

    /// <summary>ffprobe's flat description as key/value pairs ("streams.stream.0.codec_name" = "h264"); fails the test when ffprobe does.</summary>
    public static async Task<Dictionary<string, string>> ProbeValuesAsync(string file)
    {
        var probe = await ProbeAsync(file);
        Assert.True(probe.ExitCode == 0, probe.Errors);
        return Values(probe.Output);
    }

    /// <summary>ffprobe's "-of flat" lines as key/value pairs, quotes removed.</summary>
    public static Dictionary<string, string> Values(string flat) =>
        flat.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1].Trim().Trim('"'));

    /// <summary>Decodes every frame of <paramref name="file"/>; any error is in Errors (ffmpeg -v error).</summary>
    public static Task<(int ExitCode, string Output, string Errors)> DecodeAsync(string file) =>
        RunAsync("ffmpeg", ["-v", "error", "-nostdin", "-i", file, "-f", "null", "-"]);

    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(string program, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await errors);
    }
}
