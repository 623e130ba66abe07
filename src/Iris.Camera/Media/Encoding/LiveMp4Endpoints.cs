using Iris.Camera.Accounts;
using Iris.Camera.Web;
using Microsoft.AspNetCore.Http.Features;

namespace Iris.Camera.Media;

/// <summary>
/// Live H.264 (and sound while the microphone is on) as one fragmented MP4 response, for the browser's Media
/// Source Extensions player: the same permission, viewer caps (<see cref="LiveViewAdmission"/>) and session
/// re-check and write bound (<see cref="LiveViewerWrites"/>) as the MJPEG live view, over the same HTTPS listener. The response ends when the encoding changes
/// (new settings), privacy mode turns on, or the session ends; the player then reconnects.
/// </summary>
internal static class LiveMp4Endpoints
{
    public const string ContentType = "video/mp4";

    public static RouteGroupBuilder MapLiveMp4(this RouteGroupBuilder media)
    {
        media.MapGet("/live.mp4", LiveAsync).WithName("LiveViewMp4").RequirePermission(Privilege.LiveView, "Live video and sound (H.264/AAC, fragmented MP4 over TLS).");
        return media;
    }

    private static async Task LiveAsync(HttpContext http, ILiveMediaFeed feed, PrivacyMode privacy, LiveViewAdmission admission, SessionStore sessions, MediaOptions options, LiveViewerWrites writes, TimeProvider time)
    {
        if (privacy.Enabled)
        {
            await LiveViewEndpoints.PrivacyRefusal().ExecuteAsync(http);
            return;
        }

        var session = http.CurrentSession()!;
        var admitted = admission.TryAdmit(session, out var slot);
        if (admitted != AdmissionResult.Admitted)
        {
            await LiveViewEndpoints.Refusal(admitted, options).ExecuteAsync(http);
            return;
        }

        using (slot)
        {
            http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            http.Response.ContentType = ContentType;
            http.Response.Headers.CacheControl = "no-store";
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
            var watching = WatchSessionAsync(session, sessions, options.SessionRecheckInterval, time, stop);
            try
            {
                await http.Response.StartAsync(stop.Token);
                await foreach (var fragment in feed.FollowAsync(stop.Token))
                {
                    var written = await writes.TryWriteAsync(http, "fragmented MP4", async token =>
                    {
                        await http.Response.Body.WriteAsync(fragment.Bytes, token);
                        await http.Response.Body.FlushAsync(token);
                    }, stop.Token);
                    if (!written)
                    {
                        break; // the client stopped reading: its slot is given back
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // the client left or its session ended: the response just ends
            }
            finally
            {
                await stop.CancelAsync();
                await watching;
            }
        }
    }

    /// <summary>Ends the stream within one interval of the session being revoked, expiring or its account disabled.</summary>
    private static async Task WatchSessionAsync(CameraSession session, SessionStore sessions, TimeSpan interval, TimeProvider time, CancellationTokenSource stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(interval, time, stop.Token);
                if (!sessions.IsLive(session.TokenHash))
                {
                    await stop.CancelAsync();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // the stream ended first
        }
    }
}
