using System.Globalization;
using Iris.Camera.Accounts;
using Iris.Camera.Events;
using Iris.Camera.Web;

namespace Iris.Camera.Media;

public sealed class PrivacyRequest
{
    [System.ComponentModel.DataAnnotations.Required]
    public bool? Enabled { get; set; }
}

/// <summary>
/// What the live view shows beside the picture: privacy mode, whether sound is captured now (microphone turned on
/// and privacy mode off), and the source's signal ("ok", "no signal: REASON", "not checked yet"; reasons never
/// carry a URL or credential, see Media/README.md).
/// </summary>
/// <param name="Sound">For a network-stream source with the microphone on: "ok" when its sound is used, or that it carries none; otherwise null.</param>
public sealed record PrivacyState(bool Enabled, bool Microphone = false, string Signal = VideoSignal.NotChecked, string? Sound = null);

/// <summary>
/// Everything under /api/media: the live view (<see cref="LiveViewEndpoints"/>), the privacy shutter, the video
/// source and motion detection settings, and the motion events.
/// </summary>
internal static class MediaEndpoints
{
    public static IEndpointRouteBuilder MapMediaEndpoints(this IEndpointRouteBuilder routes)
    {
        var media = routes.MapGroup("/api/media");
        media.MapLiveView();
        media.MapLiveMp4();
        media.MapGet("/privacy", (PrivacyMode privacy, IActiveVideoSettings video, FrameHub hub, StreamSoundStatus sound) => TypedResults.Ok(new PrivacyState(privacy.Enabled, video.Active.Microphone && !privacy.Enabled, hub.Signal.State, sound.For(video.Active)))).WithName("GetPrivacyMode").RequirePermission(Privilege.LiveView, "Whether privacy mode is on.");
        media.MapPut("/privacy", SetPrivacyAsync).WithName("SetPrivacyMode").RequirePermission(Privilege.ManageSettings, "Turn privacy mode on or off.").Accepts<PrivacyRequest>(JsonBody.MediaType);
        media.MapGet("/video", (VideoSettingsService video) => TypedResults.Ok(video.Current)).WithName("GetVideoSettings").RequirePermission(Privilege.ManageSettings, "Video source, resolution and frame rate.");
        media.MapPut("/video", SetVideoAsync).WithName("SetVideoSettings").RequirePermission(Privilege.ManageSettings, "Choose the video source (test pattern, V4L2 camera or HTTPS stream), resolution and frame rate.").Accepts<VideoSettings>(JsonBody.MediaType);
        media.MapGet("/motion", (MotionDetector motion) => TypedResults.Ok(motion.Settings)).WithName("GetMotionSettings").RequirePermission(Privilege.ManageSettings, "Motion detection settings.");
        media.MapPut("/motion", SetMotionAsync).WithName("SetMotionSettings").RequirePermission(Privilege.ManageSettings, "Change motion detection (on/off, sensitivity, zones).").Accepts<MotionSettings>(JsonBody.MediaType);
        media.MapGet("/motion-events/{id:long}/thumbnail", MotionThumbnail).WithName("MotionEventThumbnail").RequirePermission(Privilege.ViewRecordings, "A small picture of the moment motion was seen.");
        media.MapGet("/motion-events", ListMotionEvents).WithName("ListMotionEvents").RequirePermission(Privilege.ViewRecordings, "When motion was seen.").AllowQuery("after", "limit");
        return routes;
    }

    private static async Task<IResult> SetMotionAsync(HttpContext http, MediaChanges changes, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<MotionSettings>(http.Request, cancellationToken);
        if (!body.Succeeded)
        {
            return body.Problem!;
        }

        return TypedResults.Ok(changes.SetMotion(body.Value!, http.Actor().Username, http.ClientSource()));
    }

    private static async Task<IResult> SetVideoAsync(HttpContext http, VideoSettingsService video, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<VideoSettings>(http.Request, cancellationToken);
        if (!body.Succeeded)
        {
            return body.Problem!;
        }

        var problems = video.Check(body.Value!);
        if (problems.Count > 0)
        {
            return TypedResults.ValidationProblem(problems, title: "These video settings cannot be used.", type: Problems.TypePrefix + "invalid-field");
        }

        // The answer carries the new source's signal: "ok", or "no signal: REASON" when it delivers no picture.
        return TypedResults.Ok(await video.SaveAsync(body.Value!, http.Actor().Username, http.ClientSource(), cancellationToken));
    }

    private static IResult MotionThumbnail(long id, MotionThumbnails thumbnails) =>
        thumbnails.Read(id) is { } jpeg
            ? TypedResults.File(jpeg, "image/jpeg")
            : Problems.Create(StatusCodes.Status404NotFound, "motion-picture-not-found", "This motion event has no picture.");

    private static IResult ListMotionEvents(HttpRequest request, MotionDetector motion)
    {
        long after = 0;
        var limit = 100;
        if (!MediaQuery.TryGetSingle(request, "after", out var afterText) || !MediaQuery.TryGetSingle(request, "limit", out var limitText)
            || (afterText is not null && !long.TryParse(afterText, NumberStyles.None, CultureInfo.InvariantCulture, out after))
            || (limitText is not null && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 500)))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "invalid-query", "Query parameters 'after' (0 or more) and 'limit' (1-500) must be whole numbers.");
        }

        return TypedResults.Ok(motion.Events(after, limit));
    }

    private static async Task<IResult> SetPrivacyAsync(HttpContext http, MediaChanges changes, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<PrivacyRequest>(http.Request, cancellationToken);
        if (!body.Succeeded)
        {
            return body.Problem!;
        }

        return TypedResults.Ok(await changes.SetPrivacyAsync(body.Value!.Enabled!.Value, http.Actor().Username, http.ClientSource(), cancellationToken));
    }
}
