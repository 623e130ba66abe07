using System.Globalization;
using Iris.Camera.Accounts;
using Iris.Camera.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Iris.Camera.Events;

public sealed record ChainStatus(bool Intact, long? FirstBrokenRecord);

/// <summary>The security event log and the alert inbox, for administrators (5.8.1.1).</summary>
internal static class SecurityEndpoints
{
    public static IEndpointRouteBuilder MapSecurityEndpoints(this IEndpointRouteBuilder routes)
    {
        var security = routes.MapGroup("/api/security");
        security.MapGet("/events", ListEvents).WithName("ListSecurityEvents").AllowQuery("after", "limit");
        security.MapGet("/events/verify", Verify).WithName("VerifySecurityEvents");
        security.MapGet("/alerts", ListAlerts).WithName("ListAlerts").AllowQuery("all");
        security.MapPost("/alerts/{id}/acknowledge", Acknowledge).WithName("AcknowledgeAlert");
        return routes;
    }

    private static IResult ListEvents(HttpRequest request, SecurityEventLog log)
    {
        if (!TryQuery(request, "after", 0, long.MaxValue, 0, out var after) || !TryQuery(request, "limit", 1, 500, 100, out var limit))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "invalid-query", "Query parameters 'after' (0 or more) and 'limit' (1-500) must be whole numbers.");
        }

        return TypedResults.Ok(log.Read(after, (int)limit));
    }

    private static Ok<ChainStatus> Verify(SecurityEventLog log) =>
        TypedResults.Ok(log.FindFirstBrokenRecord() is { } broken ? new ChainStatus(false, broken) : new ChainStatus(true, null));

    private static IResult ListAlerts(HttpRequest request, AlertCenter alerts)
    {
        var all = request.Query["all"].ToString();
        if (all is not ("" or "true" or "false"))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "invalid-query", "Query parameter 'all' must be true or false.");
        }

        return TypedResults.Ok(alerts.Inbox(all == "true", 200));
    }

    private static IResult Acknowledge(string id, HttpContext http, AlertCenter alerts, SecurityEventLog log)
    {
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var alertId))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "invalid-route-value", "The alert id must be a whole number.");
        }

        if (!alerts.Acknowledge(alertId))
        {
            return Problems.Create(StatusCodes.Status404NotFound, "alert-not-found", "No unacknowledged alert has this id.");
        }

        log.Append(SecurityEventKinds.AlertAcknowledged, LoginThrottle.SourceKey(http.Connection.RemoteIpAddress), http.CurrentSession()!.Username, id);
        return TypedResults.NoContent();
    }

    private static bool TryQuery(HttpRequest request, string name, long min, long max, long fallback, out long value)
    {
        var raw = request.Query[name].ToString();
        value = fallback;
        return raw.Length == 0 || (long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max);
    }
}
