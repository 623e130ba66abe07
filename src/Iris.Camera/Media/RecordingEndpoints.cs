using System.Globalization;
using System.Text;
using Iris.Camera.Accounts;
using Iris.Camera.Events;
using Iris.Camera.Storage;
using Iris.Camera.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Iris.Camera.Media;

public sealed record DeletedRecordings(int Deleted);

/// <summary>Encrypted recordings: list, play or download (decrypted on the fly), delete, and the recording mode.</summary>
internal static partial class RecordingEndpoints
{
    public static IEndpointRouteBuilder MapRecordingEndpoints(this IEndpointRouteBuilder routes)
    {
        var recordings = routes.MapGroup("/api/recordings");
        recordings.MapGet("/", List).WithName("ListRecordings").RequirePermission(Privilege.ViewRecordings, "List recorded segments.").AllowQuery("from", "to");
        recordings.MapGet("/export", ExportRangeAsync).WithName("ExportRecordings").RequirePermission(Privilege.ViewRecordings, "Download a time range of H.264 recordings joined into one MP4 (decrypted on the fly).").AllowQuery("from", "to");
        recordings.MapGet("/{id:long}", PlayAsync).WithName("PlayRecording").RequirePermission(Privilege.ViewRecordings, "Play or download a segment (decrypted on the fly).").AllowQuery("play");
        recordings.MapDelete("/{id:long}", DeleteOne).WithName("DeleteRecording").RequirePermission(Privilege.DeleteRecordings, "Delete one segment.");
        recordings.MapDelete("/", DeleteMany).WithName("DeleteRecordings").RequirePermission(Privilege.DeleteRecordings, "Delete a time range, or everything (destroys the recordings key).").AllowQuery("from", "to", "all");
        recordings.MapGet("/settings", (RecordingOverview overview) => TypedResults.Ok(overview.Current())).WithName("GetRecordingSettings").RequirePermission(Privilege.ManageSettings, "Recording mode, the format in use (and why, when H.264 could not start), and how long recordings last at the measured rate.");
        recordings.MapPut("/settings", SetModeAsync).WithName("SetRecordingSettings").RequirePermission(Privilege.ManageSettings, "Set the recording mode (off, continuous, motion).").Accepts<RecordingSettings>(JsonBody.MediaType);
        return routes;
    }

    private static IResult List(HttpRequest request, RecordingStore store) =>
        TryRange(request, out var from, out var to) ? TypedResults.Ok(store.List(from, to)) : InvalidRange();

    private static async Task<IResult> PlayAsync(long id, HttpContext http, RecordingStore store, TimeProvider time)
    {
        if (!MediaQuery.TryGetSingle(http.Request, "play", out var play) || play is not (null or "true" or "false"))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "invalid-query", "Query parameter 'play' must be true or false.");
        }

        var (frames, damaged) = store.Read(id);
        if (frames is null)
        {
            return damaged
                ? Problems.Create(StatusCodes.Status422UnprocessableEntity, "recording-damaged", "This recording is damaged or was altered; it is not played.")
                : Problems.Create(StatusCodes.Status404NotFound, "recording-not-found", "No recording has this id.");
        }

        if (SegmentFormat.IsFmp4(frames))
        {
            return await Mp4Async(id, frames, play == "true", http);
        }

        // Format 1 and 2 (MJPEG) segments: a multipart stream of their JPEGs, as before.
        http.Response.ContentType = $"multipart/x-mixed-replace; boundary={LiveViewEndpoints.Boundary}";
        // play=true paces frames as they were captured (for an img element); otherwise it is a download.
        var paced = play == "true";
        http.Response.Headers.ContentDisposition = $"{(paced ? "inline" : "attachment")}; filename=\"recording-{id.ToString(CultureInfo.InvariantCulture)}.mjpeg\"";
        DateTimeOffset? previous = null;
        foreach (var frame in frames)
        {
            if (paced && previous is { } last && frame.CapturedAt > last)
            {
                await Task.Delay(TimeSpan.FromTicks(Math.Min((frame.CapturedAt - last).Ticks, TimeSpan.FromSeconds(1).Ticks)), time, http.RequestAborted);
            }

            previous = frame.CapturedAt;
            var header = Encoding.ASCII.GetBytes(
                $"--{LiveViewEndpoints.Boundary}\r\nContent-Type: image/jpeg\r\nContent-Length: {frame.Jpeg.Length.ToString(CultureInfo.InvariantCulture)}\r\nX-Captured-At: {frame.CapturedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)}\r\n\r\n");
            await http.Response.Body.WriteAsync(header, http.RequestAborted);
            await http.Response.Body.WriteAsync(frame.Jpeg, http.RequestAborted);
            await http.Response.Body.WriteAsync("\r\n"u8.ToArray(), http.RequestAborted);
            if (paced)
            {
                await http.Response.Body.FlushAsync(http.RequestAborted);
            }
        }

        return TypedResults.Empty;
    }

    /// <summary>
    /// An H.264 segment as a standard MP4 with its duration and frame rate: inline (for the player's video element,
    /// with byte ranges so it can seek) or as a download (the export).
    /// </summary>
    private static async Task<IResult> Mp4Async(long id, IReadOnlyList<RecordedFrame> records, bool inline, HttpContext http)
    {
        if (!Mp4Export.Available)
        {
            return Problems.Create(StatusCodes.Status503ServiceUnavailable, "export-unavailable", "This device has no RAM file system (/dev/shm) to prepare the MP4 in.");
        }

        byte[] mp4;
        try
        {
            mp4 = await Mp4Export.RemuxAsync(http.RequestServices.GetRequiredService<DataDirectory>().Root, records, http.RequestAborted);
        }
        catch (InvalidDataException)
        {
            return Problems.Create(StatusCodes.Status422UnprocessableEntity, "recording-damaged", "This recording could not be made into an MP4; it is not played.");
        }

        var name = $"recording-{id.ToString(CultureInfo.InvariantCulture)}.mp4";
        if (inline)
        {
            http.Response.Headers.ContentDisposition = $"inline; filename=\"{name}\"";
            return TypedResults.File(mp4, "video/mp4", enableRangeProcessing: true);
        }

        return TypedResults.File(mp4, "video/mp4", name, enableRangeProcessing: true);
    }

    /// <summary>A range (at most <see cref="RangeExport.MaxRange"/>) of H.264 segments joined into one MP4 cut to the range; same permission as one segment's download.</summary>
    private static async Task<IResult> ExportRangeAsync(HttpContext http, RecordingStore store, MediaOptions options, MediaWorkLimit limit)
    {
        var encoder = options.Encoder;
        if (!TryRange(http.Request, out var fromBound, out var toBound) || fromBound is not { } from || toBound is not { } to || to == from || to - from > RangeExport.MaxRange)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "invalid-query", "Give from and to (ISO 8601 times, from < to, at most 10 minutes apart).");
        }

        using var slot = limit.TryExport();
        if (slot is null)
        {
            return MediaWorkLimit.Busy(http, "Another export is being prepared; try again when it is done.");
        }

        var plan = RangeExport.Plan(store.List(from, to), from, to);
        if (plan.Segments.Count == 0)
        {
            return Problems.Create(StatusCodes.Status404NotFound, "recording-not-found", "Nothing was recorded in this range.");
        }

        if (!Mp4Export.Available)
        {
            return Problems.Create(StatusCodes.Status503ServiceUnavailable, "export-unavailable", "This device has no RAM file system (/dev/shm) to prepare the MP4 in.");
        }

        var parts = new List<IReadOnlyList<RecordedFrame>>();
        foreach (var segment in plan.Segments)
        {
            var (frames, _) = store.Read(segment.Id);
            if (frames is null)
            {
                return Problems.Create(StatusCodes.Status422UnprocessableEntity, "recording-damaged", "A recording in this range is damaged or was altered; it is not exported.");
            }

            if (!SegmentFormat.IsFmp4(frames))
            {
                return Problems.Create(StatusCodes.Status409Conflict, "export-unavailable", "This range holds MJPEG recordings, which are downloaded one by one.");
            }

            parts.Add(frames);
        }

        byte[] mp4;
        try
        {
            mp4 = await Mp4Export.JoinAsync(http.RequestServices.GetRequiredService<DataDirectory>().Root, encoder, parts, plan.Skip, plan.Duration, http.RequestAborted);
        }
        catch (InvalidDataException ex)
        {
            // Every segment authenticated, so they are this camera's own encoder output: what failed is the re-encode
            // (a hardware encoder that is not there, or refuses the picture). ffmpeg's words go to the log only, since
            // they name work files.
            LogExportFailed(http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RecordingEndpoints)), encoder, ex.Message);
            return Problems.Create(StatusCodes.Status503ServiceUnavailable, "export-encoder-failed", "The recordings could not be encoded into one video file.",
                $"The H.264 encoder this camera is configured with ({MediaOptions.SectionName}:Encoder = {encoder}) failed; the log has ffmpeg's reason.");
        }

        var name = $"recordings-{from.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}.mp4";
        return TypedResults.File(mp4, "video/mp4", name, enableRangeProcessing: true);
    }

    private static IResult DeleteOne(long id, HttpContext http, MediaChanges changes) =>
        changes.DeleteRecording(id, http.Actor().Username, http.ClientSource())
            ? TypedResults.NoContent()
            : Problems.Create(StatusCodes.Status404NotFound, "recording-not-found", "No recording has this id.");

    private static IResult DeleteMany(HttpContext http, MediaChanges changes)
    {
        var all = MediaQuery.TryGetSingle(http.Request, "all", out var allText) ? allText : "invalid";
        int deleted;
        if (all == "true" && !http.Request.Query.ContainsKey("from") && !http.Request.Query.ContainsKey("to"))
        {
            deleted = changes.DeleteAllRecordings(http.Actor().Username, http.ClientSource());
        }
        else if (all is null && TryRange(http.Request, out var from, out var to) && from is { } start && to is { } end)
        {
            deleted = changes.DeleteRecordings(start, end, http.Actor().Username, http.ClientSource());
        }
        else
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "invalid-query", "Give either all=true, or from and to (ISO 8601 times, from <= to).");
        }

        return TypedResults.Ok(new DeletedRecordings(deleted));
    }

    private static async Task<IResult> SetModeAsync(HttpContext http, MediaChanges changes, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<RecordingSettings>(http.Request, cancellationToken);
        if (!body.Succeeded)
        {
            return body.Problem!;
        }

        return TypedResults.Ok(await changes.SetRecordingModeAsync(body.Value!.Mode!.Value, http.Actor().Username, http.ClientSource(), cancellationToken));
    }

    /// <summary>
    /// Reads the optional from/to bounds. A bound that is present must be one ISO 8601 time: an empty or repeated
    /// value is an error, never "no bound" (for a deletion that would silently widen the range).
    /// </summary>
    internal static bool TryRange(HttpRequest request, out DateTimeOffset? from, out DateTimeOffset? to) =>
        TryBound(request, "from", out from) & TryBound(request, "to", out to) && (from is null || to is null || from <= to);

    private static bool TryBound(HttpRequest request, string name, out DateTimeOffset? bound)
    {
        bound = null;
        if (!MediaQuery.TryGetSingle(request, name, out var text))
        {
            return false;
        }

        if (text is null)
        {
            return true;
        }

        if (text.Length > 40 || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value))
        {
            return false;
        }

        bound = value;
        return true;
    }

    private static ProblemHttpResult InvalidRange() =>
        Problems.Create(StatusCodes.Status400BadRequest, "invalid-query", "'from' and 'to' must be ISO 8601 times with from <= to.");

    [LoggerMessage(EventId = 4413, Level = LogLevel.Warning, Message = "Range export: the {Encoder} encoder failed: {Reason}")]
    private static partial void LogExportFailed(ILogger logger, string encoder, string reason);
}
