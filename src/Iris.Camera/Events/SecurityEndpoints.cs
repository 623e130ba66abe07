using System.Globalization;
using Iris.Camera.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Iris.Camera.Events;

/// <summary>The security event log and the alert inbox, for administrators (5.8.1.1).</summary>
internal static class SecurityEndpoints
{
    public static IEndpointRouteBuilder MapSecurityEndpoints(this IEndpointRouteBuilder routes)
    {
        var security = routes.MapGroup("/api/security");
        security.MapGet("/events", ListEvents).WithName("ListSecurityEvents").RequirePermission(Privilege.ViewSecurityLog, "Read the security event log.").AllowQuery("after", "limit");
        security.MapGet("/events/verify", Verify).WithName("VerifySecurityEvents").RequirePermission(Privilege.ViewSecurityLog, "Check the event log's hash chain.");
        security.MapGet("/alerts", ListAlerts).WithName("ListAlerts").RequirePermission(Privilege.ViewSecurityLog, "Read the alert inbox.").AllowQuery("all");
        security.MapPost("/alerts/{id}/acknowledge", Acknowledge).WithName("AcknowledgeAlert").RequirePermission(Privilege.ViewSecurityLog, "Mark an alert as seen.");
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

    private static Ok<ChainStatus> Verify(SecurityEventLog log) => TypedResults.Ok(log.Verify());

    private static IResult ListAlerts(HttpRequest request, AlertCenter alerts)
    {
        var all = request.Query["all"].ToString();
        if (all is not ("" or "true" or "false"))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "invalid-query", "Query parameter 'all' must be true or false.");
        }

        return TypedResults.Ok(alerts.Inbox(all == "true", 200));
    }

    private static IResult Acknowledge(string id, HttpContext http, AlertCenter alerts)
    {
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var alertId))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "invalid-route-value", "The alert id must be a whole number.");
        }

        return alerts.Acknowledge(alertId, http.Actor().Username, http.ClientSource())
            ? TypedResults.NoContent()
            : Problems.Create(StatusCodes.Status404NotFound, "alert-not-found", "No unacknowledged alert has this id.");
    }

    private static bool TryQuery(HttpRequest request, string name, long min, long max, long fallback, out long value)
    {
        var raw = request.Query[name].ToString();
        value = fallback;
        return raw.Length == 0 || (long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max);
    }
}
