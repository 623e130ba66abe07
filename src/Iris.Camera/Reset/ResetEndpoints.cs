using System.ComponentModel.DataAnnotations;
using Iris.Camera.Accounts;
using Iris.Camera.Web;

namespace Iris.Camera.Reset;

public sealed class FactoryResetRequest
{
    /// <summary>The signed-in administrator's own password, typed again.</summary>
    [Required]
    [StringLength(128, MinimumLength = 1)]
    public string? Password { get; set; }
}

public sealed record FactoryResetAccepted(string Message);

internal static class ResetEndpoints
{
    public static IEndpointRouteBuilder MapResetEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/device/factory-reset", ResetAsync).WithName("FactoryReset").RequirePermission(Privilege.FactoryReset, "Crypto-erase: destroy the storage key, delete all owner data, return to the factory default password (password re-entry required).").Accepts<FactoryResetRequest>(JsonBody.MediaType);
        return routes;
    }

    private static async Task<IResult> ResetAsync(HttpContext http, FactoryResetService reset, TimeProvider time, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<FactoryResetRequest>(http.Request, cancellationToken);
        if (!body.Succeeded)
        {
            return body.Problem!;
        }

        var confirmed = await reset.RequestConfirmedAsync(http.CurrentSession()!, body.Value!.Password!, http.ClientSource(), cancellationToken);
        return confirmed.Result switch
        {
            StepUpResult.Throttled => StepUpProblems.Throttled(http, confirmed, time),
            StepUpResult.WrongPassword => Problems.Create(StatusCodes.Status403Forbidden, "password-required", "Type your own password to confirm a factory reset."),
            _ => TypedResults.Accepted("/api/device",
                new FactoryResetAccepted("The camera restarts, destroys its storage key and erases all owner data. Sign in afterwards with the default password on the label.")),
        };
    }
}
