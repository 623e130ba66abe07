using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Iris.Camera.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;
using SkiaSharp;

namespace Iris.Camera.Tests.Media;

/// <summary>
/// An IP camera's HTTPS stream for tests: Kestrel with a certificate from a test CA, serving MJPEG over HTTP
/// (multipart/x-mixed-replace, as cameras do) at /live.mjpeg, the same behind Basic authentication at
/// /private.mjpeg, a stream that never sends a frame at /silent, hostile content at /concat (an ffconcat
/// script naming a local file), and MPEG-TS as encoders send it, made live by an ffmpeg child: with a 440 Hz tone
/// at /tone.ts and without sound at /mute.ts. It records every request's path and Authorization header.
/// </summary>
public sealed class MjpegStreamServer : IAsyncDisposable
{
    public const string User = "viewer";
    public const string Password = "cam-pass-8f3e1d";
    private readonly TempDirectory _dir = new();
    private WebApplication? _app;

    public Uri Address { get; private set; } = new("https://127.0.0.1/");

    /// <summary>The PEM of the CA that issued the server's certificate.</summary>
    public string CaFile => _dir.Combine("stream-ca.pem");

    /// <summary>The PEM of a CA that did not issue it (a camera the device must not trust).</summary>
    public string OtherCaFile => _dir.Combine("other-ca.pem");

    public List<(string Path, string? Authorization)> Requests { get; } = [];

    public string Url(string path) => new Uri(Address, path).ToString();

    public static async Task<MjpegStreamServer> StartAsync()
    {
        var server = new MjpegStreamServer();
        var (ca, caKey) = TestCertificates.CreateCa("Stream Test CA");
        var (other, otherKey) = TestCertificates.CreateCa("Some Other CA");
        using (ca)
        using (caKey)
        using (other)
        using (otherKey)
        using (var leaf = TestCertificates.IssueServer(ca, caKey, "127.0.0.1"))
        {
            await File.WriteAllTextAsync(server.CaFile, ca.ExportCertificatePem());
            await File.WriteAllTextAsync(server.OtherCaFile, other.ExportCertificatePem());
            var certificate = X509CertificateLoader.LoadPkcs12(leaf.Export(X509ContentType.Pkcs12), null);
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(new HttpsConnectionAdapterOptions { ServerCertificate = certificate })));
            server._app = builder.Build();
            server._app.Use(async (context, next) =>
            {
                lock (server.Requests)
                {
                    server.Requests.Add((context.Request.Path, context.Request.Headers.Authorization.FirstOrDefault()));
                }

                await next(context);
            });
            server._app.MapGet("/live.mjpeg", (HttpContext http) => StreamAsync(http));
            server._app.MapGet("/private.mjpeg", async (HttpContext http) =>
            {
                var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}"));
                if (http.Request.Headers.Authorization != expected)
                {
                    http.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    http.Response.Headers.WWWAuthenticate = "Basic realm=\"camera\"";
                    return;
                }

                await StreamAsync(http);
            });
            server._app.MapGet("/silent", async (HttpContext http) =>
            {
                http.Response.ContentType = "multipart/x-mixed-replace; boundary=frame";
                await http.Response.Body.FlushAsync();
                await Task.Delay(Timeout.Infinite, http.RequestAborted);
            });
            server._app.MapGet("/tone.ts", (HttpContext http) => TransportStreamAsync(http, withSound: true));
            server._app.MapGet("/mute.ts", (HttpContext http) => TransportStreamAsync(http, withSound: false));
            server._app.MapGet("/concat", () => Results.Text("ffconcat version 1.0\nfile /etc/passwd\n", "text/plain"));
            await server._app.StartAsync();
            server.Address = new Uri(server._app.Urls.First() + "/");
        }

        return server;
    }

    /// <summary>A moving block on grey, 320x240 at 10 frames per second, until the client goes away.</summary>
    private static async Task StreamAsync(HttpContext http)
    {
        http.Response.ContentType = "multipart/x-mixed-replace; boundary=frame";
        using var surface = SKSurface.Create(new SKImageInfo(320, 240));
        using var paint = new SKPaint();
        try
        {
            for (var i = 0; !http.RequestAborted.IsCancellationRequested; i++)
            {
                surface.Canvas.Clear(SKColors.Gray);
                paint.Color = SKColors.Black;
                surface.Canvas.DrawRect(i * 10 % 240, 80, 80, 80, paint);
                using var image = surface.Snapshot();
                using var jpeg = image.Encode(SKEncodedImageFormat.Jpeg, 80);
                var header = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture,
                    $"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: {jpeg.Size}\r\n\r\n"));
                await http.Response.Body.WriteAsync(header, http.RequestAborted);
                await http.Response.Body.WriteAsync(jpeg.ToArray(), http.RequestAborted);
                await http.Response.Body.WriteAsync("\r\n"u8.ToArray(), http.RequestAborted);
                await http.Response.Body.FlushAsync(http.RequestAborted);
                await Task.Delay(100, http.RequestAborted); // the camera's frame rate, not a wait for a condition
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>320x240 at 10 frames per second (MPEG-2 video), with MP2 sound of a 440 Hz tone when asked, in real time until the client goes away.</summary>
    private static async Task TransportStreamAsync(HttpContext http, bool withSound)
    {
        var start = new System.Diagnostics.ProcessStartInfo("ffmpeg") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string[] args = withSound
            ? ["-re", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=10", "-re", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                "-c:v", "mpeg2video", "-q:v", "5", "-g", "10", "-c:a", "mp2", "-b:a", "64k"]
            : ["-re", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=10", "-c:v", "mpeg2video", "-q:v", "5", "-g", "10"];
        foreach (var arg in (string[])["-hide_banner", "-loglevel", "error", "-nostdin", .. args, "-f", "mpegts", "pipe:1"])
        {
            start.ArgumentList.Add(arg);
        }

        http.Response.ContentType = "video/mp2t";
        using var ffmpeg = System.Diagnostics.Process.Start(start)!;
        ffmpeg.BeginErrorReadLine();
        try
        {
            await ffmpeg.StandardOutput.BaseStream.CopyToAsync(http.Response.Body, http.RequestAborted);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
        }
        finally
        {
            ffmpeg.Kill();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        _dir.Dispose();
    }
}
