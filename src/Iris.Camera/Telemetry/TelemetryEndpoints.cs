using System.ComponentModel.DataAnnotations;
using Iris.Camera.Accounts;
using Iris.Camera.Web;

namespace Iris.Camera.Telemetry;

public sealed class TelemetryConsent
{
    /// <summary>The version of the consent text the administrator read and accepts.</summary>
    [Required]
    [StringLength(80, MinimumLength = 1)]
    public string? TextVersion { get; set; }
}

/// <summary>The consent screen's data, consent and withdrawal. Administrators only (ManageSettings).</summary>
internal static class TelemetryEndpoints
{
    public static IEndpointRouteBuilder MapTelemetryEndpoints(this IEndpointRouteBuilder routes)
    {
        var telemetry = routes.MapGroup("/api/telemetry");
        telemetry.MapGet("/", (TelemetryService service) => TypedResults.Ok(service.Status())).WithName("GetTelemetry").RequirePermission(Privilege.ManageSettings, "The telemetry consent screen: what is sent, why, to whom, the exact payload, and the consent state.");
        telemetry.MapPut("/consent", GrantAsync).WithName("GrantTelemetryConsent").RequirePermission(Privilege.ManageSettings, "Consent to telemetry under the consent text version shown.").Accepts<TelemetryConsent>(JsonBody.MediaType);
        telemetry.MapDelete("/consent", (HttpContext http, TelemetryService service) =>
        {
            service.Withdraw(http.CurrentSession()!.Username, http.ClientSource());
            return TypedResults.Ok(service.Status());
        }).WithName("WithdrawTelemetryConsent").RequirePermission(Privilege.ManageSettings, "Withdraw consent; sending stops at once.");
        return routes;
    }

    private static async Task<IResult> GrantAsync(HttpContext http, TelemetryService service, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<TelemetryConsent>(http.Request, cancellationToken);
        if (!body.Succeeded)
        {
            return body.Problem!;
        }

        var status = service.Status();
        if (!status.Available)
        {
            return Problems.Create(StatusCodes.Status409Conflict, "telemetry-unavailable", "No telemetry receiver is configured on this device.");
        }

        if (!service.Grant(body.Value!.TextVersion!, http.CurrentSession()!.Username, http.ClientSource()))
        {
            return Problems.Create(StatusCodes.Status409Conflict, "consent-text-changed",
                $"The consent text is now version {service.TextVersion}; read it again and accept that version.");
        }

        return TypedResults.Ok(service.Status());
    }
}
