using Iris.Camera.Accounts;
using Iris.Camera.Web;

namespace Iris.Camera.Media;

/// <summary>
/// The recordings' day timeline: segments and motion events. An event's picture is its own sealed still
/// (<c>GET /api/media/motion-events/{id}/thumbnail</c>, <see cref="MotionThumbnails"/>), not one cut from the segment.
/// </summary>
internal static class RecordingTimelineEndpoints
{
    public static IEndpointRouteBuilder MapRecordingTimelineEndpoints(this IEndpointRouteBuilder routes)
    {
        var recordings = routes.MapGroup("/api/recordings");
        recordings.MapGet("/timeline", Timeline).WithName("RecordingTimeline")
            .RequirePermission(Privilege.ViewRecordings, "A day's recorded segments and motion events (each with the segment and offset that show it, and whether it has a picture).").AllowQuery("from", "to");
        return routes;
    }

    private static IResult Timeline(HttpRequest request, RecordingTimeline timeline) =>
        RecordingEndpoints.TryRange(request, out var fromBound, out var toBound) && fromBound is { } from && toBound is { } to && to - from <= RecordingTimeline.MaxSpan
            ? TypedResults.Ok(timeline.Build(from, to))
            : Problems.Create(StatusCodes.Status400BadRequest, "invalid-query", "Give from and to (ISO 8601 times, from <= to, at most 26 hours apart).");
}
