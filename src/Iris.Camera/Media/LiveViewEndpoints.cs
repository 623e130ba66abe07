using System.Globalization;
using System.Text;
using Iris.Camera.Accounts;
using Iris.Camera.Web;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Iris.Camera.Media;

/// <summary>
/// Live view and snapshots (viewers and administrators, over TLS only). The live view is MJPEG
/// (multipart/x-mixed-replace), which every browser plays in an img element; how many streams a session, an
/// account and everyone together may hold is <see cref="LiveViewAdmission"/>'s call.
/// </summary>
internal static class LiveViewEndpoints
{
    public const string Boundary = "irisframe";

    public static RouteGroupBuilder MapLiveView(this RouteGroupBuilder media)
    {
        media.MapGet("/live", LiveAsync).WithName("LiveView").RequirePermission(Privilege.LiveView, "Live video (MJPEG over TLS).");
        media.MapGet("/snapshot", SnapshotAsync).WithName("Snapshot").RequirePermission(Privilege.LiveView, "One JPEG frame.");
        return media;
    }

    private static async Task LiveAsync(HttpContext http, FrameHub hub, LiveViewAdmission admission, SessionStore sessions, MediaOptions options, LiveViewerWrites writes, TimeProvider time)
    {
        var session = http.CurrentSession()!;
        var admitted = admission.TryAdmit(session, out var slot);
        if (admitted != AdmissionResult.Admitted)
        {
            await Refusal(admitted, options).ExecuteAsync(http);
            return;
        }

        using (slot)
        {
            if (hub.TrySubscribe(asViewer: true, out var subscription) != SubscribeResult.Subscribed)
            {
                await PrivacyRefusal().ExecuteAsync(http);
                return;
            }

            using (subscription)
            {
                await StreamAsync(http, subscription!, session, sessions, options, writes, time);
            }
        }
    }

    private static async Task StreamAsync(HttpContext http, FrameSubscription subscription, CameraSession session, SessionStore sessions, MediaOptions options, LiveViewerWrites writes, TimeProvider time)
    {
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        http.Response.ContentType = $"multipart/x-mixed-replace; boundary={Boundary}";
        http.Response.Headers.CacheControl = "no-store";
        var aborted = http.RequestAborted;
        var nextCheck = time.GetUtcNow() + options.SessionRecheckInterval;
        var reader = subscription.Frames;
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
                if (!await writes.TryWriteAsync(http, "MJPEG", token => WritePartAsync(http.Response, frame, token), aborted))
                {
                    return; // the client stopped reading: its slot is given back
                }
            }
        }
    }

    private static async Task<IResult> SnapshotAsync(FrameHub hub, TimeProvider time, CancellationToken cancellationToken)
    {
        if (hub.TrySubscribe(asViewer: false, out var subscription) != SubscribeResult.Subscribed)
        {
            return PrivacyRefusal();
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
                return Problems.Create(StatusCodes.Status503ServiceUnavailable, "no-frame", "The camera delivered no frame. Try again.",
                    $"Video signal: {hub.Signal.State}.");
            }
        }
    }

    internal static ProblemHttpResult PrivacyRefusal() =>
        Problems.Create(StatusCodes.Status409Conflict, "privacy-mode", "Privacy mode is on: the camera captures nothing.");

    internal static ProblemHttpResult Refusal(AdmissionResult result, MediaOptions options) => result switch
    {
        AdmissionResult.SessionLimit => Problems.Create(StatusCodes.Status429TooManyRequests, "too-many-streams",
            "This session has as many live streams open as it may.",
            string.Create(CultureInfo.InvariantCulture, $"A session may hold {options.MaxStreamsPerSession} live stream(s) at once; close one first.")),
        AdmissionResult.AccountLimit => Problems.Create(StatusCodes.Status429TooManyRequests, "too-many-streams",
            "This account has as many live streams open as it may.",
            string.Create(CultureInfo.InvariantCulture, $"An account may hold {options.MaxStreamsPerAccount} live stream(s) at once over all its sessions; close one first.")),
        AdmissionResult.ReservedForAdministrators => Problems.Create(StatusCodes.Status503ServiceUnavailable, "too-many-viewers",
            "The camera serves as many viewers as it allows; the remaining live-view slots are kept for administrators.", "Try again when another viewer has stopped watching."),
        _ => Problems.Create(StatusCodes.Status503ServiceUnavailable, "too-many-viewers", "The camera serves its maximum number of live viewers.",
            "Try again when another viewer has stopped watching."),
    };

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
