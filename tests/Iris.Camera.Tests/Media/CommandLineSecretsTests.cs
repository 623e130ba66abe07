using System.Text;
using Iris.Camera.Media;
using Iris.Camera.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Iris.Camera.Tests.Media;

/// <summary>
/// Issue 12: a network stream's password must not be readable by other local users. /proc/PID/cmdline is
/// world-readable; /proc/PID/environ is readable by the process's own user only, and ffmpeg gets an empty
/// environment (PATH alone) anyway, so not even a PIN given to the daemon in IRIS_PKCS11_PIN reaches it.
/// </summary>
public sealed class CommandLineSecretsTests
{
    [Fact]
    public async Task WhileFfmpegReadsAStreamWithCredentials_NoProcessShowsThePassword_AndFfmpegHasNoInheritedEnvironment()
    {
        await using var server = await MjpegStreamServer.StartAsync();
        var options = new MediaOptions { StreamCaCertificateFile = server.CaFile, SignalTimeout = TimeSpan.FromSeconds(5) };
        var url = new UriBuilder(server.Url("private.mjpeg")) { UserName = MjpegStreamServer.User, Password = MjpegStreamServer.Password }.Uri.ToString();
        Assert.Contains(MjpegStreamServer.Password, url, StringComparison.Ordinal);
        var source = new FfmpegSource(new FixedVideoSettings(new ActiveVideo(MediaOptions.StreamSource, "/dev/video0", url, 320, 240, 10)),
            options, TimeProvider.System, NullLogger<FfmpegSource>.Instance);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var checkedFfmpeg = false;

        await foreach (var frame in source.CaptureAsync(cancel.Token))
        {
            Assert.False(frame.Jpeg.IsEmpty);
            var ffmpeg = source.ProcessId;
            Assert.NotEqual(0, ffmpeg);
            foreach (var process in Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out var _)))
            {
                var commandLine = TryRead(Path.Combine(process, "cmdline"));
                Assert.DoesNotContain(MjpegStreamServer.Password, commandLine, StringComparison.Ordinal);
            }

            var environment = TryRead($"/proc/{ffmpeg}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(["PATH=/usr/bin:/bin"], environment);
            Assert.Contains("pipe:0", TryRead($"/proc/{ffmpeg}/cmdline"), StringComparison.Ordinal);
            checkedFfmpeg = true;
            break;
        }

        Assert.True(checkedFfmpeg, "no frame arrived, so ffmpeg was never examined");
    }

    private static string TryRead(string path)
    {
        try
        {
            return Encoding.UTF8.GetString(File.ReadAllBytes(path));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ""; // the process ended meanwhile
        }
    }
}
