using Iris.Camera.Accounts;
using Iris.Camera.Web;

namespace Iris.Camera.Link;

/// <summary>The platform link on the settings page. Administrators only (ManageSettings).</summary>
internal static class LinkEndpoints
{
    public static IEndpointRouteBuilder MapLinkEndpoints(this IEndpointRouteBuilder routes)
    {
        var link = routes.MapGroup("/api/link");
        link.MapGet("/", (LinkService service) => TypedResults.Ok(service.Status()))
            .WithName("GetLink").RequirePermission(Privilege.ManageSettings, "Platform link status: each channel's state and reason, last delivery, queued alerts, dropped alerts.");
        link.MapPost("/test-alert", (HttpContext http, LinkService service) =>
        {
            if (!service.Status().Configured)
            {
                return (IResult)Problems.Create(StatusCodes.Status409Conflict, "link-off", "No broker or webhook is configured on this device.");
            }

            var alert = service.SendTestAlert(http.CurrentSession()!.Username, http.ClientSource());
            return TypedResults.Ok(new { alertId = alert.Id });
        }).WithName("SendTestAlert").RequirePermission(Privilege.ManageSettings, "Raise a test alert that travels every configured channel.");
        link.MapPost("/webhook/key", (HttpContext http, LinkService service) =>
            TypedResults.Ok(new { key = service.RenewWebhookSecret(http.CurrentSession()!.Username, http.ClientSource()) }))
            .WithName("RenewWebhookKey").RequirePermission(Privilege.ManageSettings, "Make a new webhook signing key (shown once; the old one stops working).");
        return routes;
    }
}
