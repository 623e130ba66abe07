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

    private static async Task<IResult> ResetAsync(HttpContext http, StepUpAuthentication stepUp, FactoryResetService reset, TimeProvider time, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<FactoryResetRequest>(http.Request, cancellationToken);
        if (!body.Succeeded)
        {
            return body.Problem!;
        }

        var session = http.CurrentSession()!;
        var source = http.ClientSource();
        var confirmed = stepUp.Verify(session, body.Value!.Password!, source, "factory reset");
        switch (confirmed.Result)
        {
            case StepUpResult.Throttled:
                return StepUpProblems.Throttled(http, confirmed, time);
            case StepUpResult.WrongPassword:
                return Problems.Create(StatusCodes.Status403Forbidden, "password-required", "Type your own password to confirm a factory reset.");
        }

        await reset.RequestAsync(session.Username, source, "administrator", cancellationToken);
        return TypedResults.Accepted("/api/device",
            new FactoryResetAccepted("The camera restarts, destroys its storage key and erases all owner data. Sign in afterwards with the default password on the label."));
    }
}
