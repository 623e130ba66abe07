using System.Globalization;
using Iris.Camera.Accounts;
using Iris.Camera.Web;

namespace Iris.Camera.Media;

/// <summary>The recordings' day timeline (segments and motion events) and the thumbnails it shows.</summary>
internal static class RecordingTimelineEndpoints
{
    public static IEndpointRouteBuilder MapRecordingTimelineEndpoints(this IEndpointRouteBuilder routes)
    {
        var recordings = routes.MapGroup("/api/recordings");
        recordings.MapGet("/timeline", Timeline).WithName("RecordingTimeline")
            .RequirePermission(Privilege.ViewRecordings, "A day's recorded segments and motion events (each with the segment and offset that show it).").AllowQuery("from", "to");
        recordings.MapGet("/{id:long}/thumbnail", ThumbnailAsync).WithName("RecordingThumbnail")
            .RequirePermission(Privilege.ViewRecordings, "A small JPEG of a segment at an offset (made from the recording when asked, never stored).").AllowQuery("at");
        return routes;
    }

    private static IResult Timeline(HttpRequest request, RecordingTimeline timeline) =>
        RecordingEndpoints.TryRange(request, out var fromBound, out var toBound) && fromBound is { } from && toBound is { } to && to - from <= RecordingTimeline.MaxSpan
            ? TypedResults.Ok(timeline.Build(from, to))
            : Problems.Create(StatusCodes.Status400BadRequest, "invalid-query", "Give from and to (ISO 8601 times, from <= to, at most 26 hours apart).");

    private static async Task<IResult> ThumbnailAsync(long id, HttpContext http, RecordingStore store, MediaWorkLimit limit)
    {
        var offset = 0.0;
        if (!MediaQuery.TryGetSingle(http.Request, "at", out var at)
            || (at is not null && (at.Length > 12 || !double.TryParse(at, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out offset) || !double.IsFinite(offset) || offset > 600)))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "invalid-query", "Query parameter 'at' must be seconds into the segment (0-600).");
        }

        using var slot = limit.TryThumbnail();
        if (slot is null)
        {
            return MediaWorkLimit.Busy(http, "Other thumbnails are being made; try again in a moment.");
        }

        var (frames, damaged) = store.Read(id);
        if (frames is null)
        {
            return damaged
                ? Problems.Create(StatusCodes.Status422UnprocessableEntity, "recording-damaged", "This recording is damaged or was altered; it is not shown.")
                : Problems.Create(StatusCodes.Status404NotFound, "recording-not-found", "No recording has this id.");
        }

        byte[] jpeg;
        try
        {
            jpeg = await Thumbnail.MakeAsync(frames, TimeSpan.FromSeconds(offset), http.RequestAborted);
        }
        catch (InvalidDataException)
        {
            return Problems.Create(StatusCodes.Status422UnprocessableEntity, "recording-damaged", "No picture could be taken from this recording.");
        }

        return TypedResults.File(jpeg, "image/jpeg");
    }
}
