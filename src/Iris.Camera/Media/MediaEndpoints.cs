using System.Globalization;
using System.Text;
using Iris.Camera.Accounts;
using Iris.Camera.Events;
using Iris.Camera.Web;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Iris.Camera.Media;

public sealed class PrivacyRequest
{
    [System.ComponentModel.DataAnnotations.Required]
    public bool? Enabled { get; set; }
}

public sealed record PrivacyState(bool Enabled);

/// <summary>
/// Live view and snapshots (viewers and administrators, over TLS only) and the privacy shutter. The live view is
/// MJPEG (multipart/x-mixed-replace), which every browser plays in an img element.
/// </summary>
internal static class MediaEndpoints
{
    public const string Boundary = "irisframe";

    public static IEndpointRouteBuilder MapMediaEndpoints(this IEndpointRouteBuilder routes)
    {
        var media = routes.MapGroup("/api/media");
        media.MapGet("/live", LiveAsync).WithName("LiveView").RequirePermission(Privilege.LiveView, "Live video (MJPEG over TLS).");
        media.MapGet("/snapshot", SnapshotAsync).WithName("Snapshot").RequirePermission(Privilege.LiveView, "One JPEG frame.");
        media.MapGet("/privacy", (PrivacyMode privacy) => TypedResults.Ok(new PrivacyState(privacy.Enabled))).WithName("GetPrivacyMode").RequirePermission(Privilege.LiveView, "Whether privacy mode is on.");
        media.MapPut("/privacy", SetPrivacyAsync).WithName("SetPrivacyMode").RequirePermission(Privilege.ManageSettings, "Turn privacy mode on or off.").Accepts<PrivacyRequest>(JsonBody.MediaType);
        media.MapGet("/video", (VideoSettingsStore video) => TypedResults.Ok(video.Current)).WithName("GetVideoSettings").RequirePermission(Privilege.ManageSettings, "Video source, resolution and frame rate.");
        media.MapPut("/video", SetVideoAsync).WithName("SetVideoSettings").RequirePermission(Privilege.ManageSettings, "Choose the video source (test pattern, V4L2 camera, file or stream), resolution and frame rate.").Accepts<VideoSettings>(JsonBody.MediaType);
        media.MapGet("/motion", (MotionDetector motion) => TypedResults.Ok(motion.Settings)).WithName("GetMotionSettings").RequirePermission(Privilege.ManageSettings, "Motion detection settings.");
        media.MapPut("/motion", SetMotionAsync).WithName("SetMotionSettings").RequirePermission(Privilege.ManageSettings, "Change motion detection (on/off, sensitivity, zones).").Accepts<MotionSettings>(JsonBody.MediaType);
        media.MapGet("/motion-events", ListMotionEvents).WithName("ListMotionEvents").RequirePermission(Privilege.ViewRecordings, "When motion was seen.").AllowQuery("after", "limit");
        return routes;
    }

    private static async Task LiveAsync(HttpContext http, FrameHub hub, SessionStore sessions, MediaOptions options, TimeProvider time)
    {
        var session = http.CurrentSession()!;
        var result = hub.TrySubscribe(asViewer: true, out var subscription);
        if (result != SubscribeResult.Subscribed)
        {
            await Refusal(result).ExecuteAsync(http);
            return;
        }

        using (subscription)
        {
            http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            http.Response.ContentType = $"multipart/x-mixed-replace; boundary={Boundary}";
            http.Response.Headers.CacheControl = "no-store";
            var aborted = http.RequestAborted;
            var nextCheck = time.GetUtcNow() + options.SessionRecheckInterval;
            var reader = subscription!.Frames;
            while (!aborted.IsCancellationRequested)
            {
                // Wake at least every recheck interval, so a revoked or expired session ends its stream promptly.
                using var recheck = new CancellationTokenSource(options.SessionRecheckInterval, time);
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(aborted, recheck.Token);
                bool more;
                try
                {
                    more = await reader.WaitToReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
                {
                    more = true;
                }

                if (!more)
                {
                    return; // privacy mode ended the stream
                }

                if (time.GetUtcNow() >= nextCheck)
                {
                    if (!sessions.IsLive(session.TokenHash))
                    {
                        return;
                    }

                    nextCheck = time.GetUtcNow() + options.SessionRecheckInterval;
                }

                while (reader.TryRead(out var frame))
                {
                    await WritePartAsync(http.Response, frame, aborted);
                }
            }
        }
    }

    private static async Task<IResult> SnapshotAsync(FrameHub hub, TimeProvider time, CancellationToken cancellationToken)
    {
        var result = hub.TrySubscribe(asViewer: false, out var subscription);
        if (result != SubscribeResult.Subscribed)
        {
            return Refusal(result);
        }

        using (subscription)
        {
            try
            {
                var frame = await subscription!.Frames.ReadAsync(cancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(5), time, cancellationToken);
                return TypedResults.File(frame.Jpeg.ToArray(), "image/jpeg", $"snapshot-{frame.CapturedAt.UtcDateTime.ToString("yyyyMMddTHHmmssZ", CultureInfo.InvariantCulture)}.jpg");
            }
            catch (Exception ex) when (ex is TimeoutException or System.Threading.Channels.ChannelClosedException)
            {
                return Problems.Create(StatusCodes.Status503ServiceUnavailable, "no-frame", "The camera delivered no frame. Try again.");
            }
        }
    }

    private static async Task<IResult> SetMotionAsync(HttpContext http, MotionDetector motion, SecurityEventLog events, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<MotionSettings>(http.Request, cancellationToken);
        if (!body.Succeeded)
        {
            return body.Problem!;
        }

        motion.Save(body.Value!);
        events.Append(SecurityEventKinds.SettingsChanged, LoginThrottle.SourceKey(http.Connection.RemoteIpAddress), http.CurrentSession()!.Username,
            $"motion detection {(body.Value!.Enabled ? "on" : "off")}, sensitivity {body.Value.Sensitivity.ToString(CultureInfo.InvariantCulture)}, {body.Value.Zones.Count.ToString(CultureInfo.InvariantCulture)} zone(s)");
        return TypedResults.Ok(motion.Settings);
    }

    private static async Task<IResult> SetVideoAsync(HttpContext http, VideoSettingsStore video, MotionDetector motion, SecurityEventLog events, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<VideoSettings>(http.Request, cancellationToken);
        if (!body.Succeeded)
        {
            return body.Problem!;
        }

        var problems = video.Check(body.Value!);
        if (problems.Count > 0)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["$"] = [.. problems] },
                title: "These video settings cannot be used.", type: Problems.TypePrefix + "invalid-field");
        }

        video.Save(body.Value!);
        motion.Reconfigure();
        events.Append(SecurityEventKinds.SettingsChanged, LoginThrottle.SourceKey(http.Connection.RemoteIpAddress), http.CurrentSession()!.Username,
            string.Create(CultureInfo.InvariantCulture, $"video source {body.Value!.Source}, {body.Value.Width}x{body.Value.Height} at {body.Value.FramesPerSecond} fps"));
        return TypedResults.Ok(video.Current);
    }

    private static IResult ListMotionEvents(HttpRequest request, MotionDetector motion)
    {
        var afterText = request.Query["after"].ToString();
        var limitText = request.Query["limit"].ToString();
        long after = 0;
        var limit = 100;
        if ((afterText.Length > 0 && (!long.TryParse(afterText, NumberStyles.None, CultureInfo.InvariantCulture, out after)))
            || (limitText.Length > 0 && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 500)))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "invalid-query", "Query parameters 'after' (0 or more) and 'limit' (1-500) must be whole numbers.");
        }

        return TypedResults.Ok(motion.Events(after, limit));
    }

    private static async Task<IResult> SetPrivacyAsync(HttpContext http, PrivacyMode privacy, MotionDetector motion, Recorder recorder, SecurityEventLog events, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<PrivacyRequest>(http.Request, cancellationToken);
        if (!body.Succeeded)
        {
            return body.Problem!;
        }

        privacy.Set(body.Value!.Enabled!.Value);
        motion.Reconfigure();
        if (body.Value.Enabled.Value)
        {
            // When this answer arrives, nothing is being recorded any more.
            await recorder.StopAndWaitAsync(cancellationToken);
        }
        else
        {
            recorder.Reconfigure();
        }
        events.Append(SecurityEventKinds.SettingsChanged, LoginThrottle.SourceKey(http.Connection.RemoteIpAddress),
            http.CurrentSession()!.Username, $"privacy mode {(body.Value.Enabled.Value ? "on" : "off")}");
        return TypedResults.Ok(new PrivacyState(privacy.Enabled));
    }

    private static ProblemHttpResult Refusal(SubscribeResult result) => result == SubscribeResult.PrivacyMode
        ? Problems.Create(StatusCodes.Status409Conflict, "privacy-mode", "Privacy mode is on: the camera captures nothing.")
        : Problems.Create(StatusCodes.Status503ServiceUnavailable, "too-many-viewers", "The camera serves its maximum number of live viewers.");

    private static async Task WritePartAsync(HttpResponse response, VideoFrame frame, CancellationToken cancellationToken)
    {
        var header = Encoding.ASCII.GetBytes(
            $"--{Boundary}\r\nContent-Type: image/jpeg\r\nContent-Length: {frame.Jpeg.Length.ToString(CultureInfo.InvariantCulture)}\r\n" +
            $"X-Captured-At: {frame.CapturedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)}\r\n\r\n");
        await response.Body.WriteAsync(header, cancellationToken);
        await response.Body.WriteAsync(frame.Jpeg, cancellationToken);
        await response.Body.WriteAsync("\r\n"u8.ToArray(), cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }
}
