using System.ComponentModel.DataAnnotations;
using Iris.Camera.Accounts;
using Iris.Camera.Storage;
using Iris.Camera.Web;

namespace Iris.Camera.Privacy;

public sealed record DeletionResult(IReadOnlyDictionary<string, int> Deleted);

public sealed class DeleteAllRequest
{
    /// <summary>The signed-in administrator's own password, typed again.</summary>
    [Required]
    [StringLength(128, MinimumLength = 1)]
    public string? Password { get; set; }
}

/// <summary>
/// The personal data inventory (anyone may read it), deletion of one kind, and deletion of everything, which must
/// be named (<c>/data/all</c>) and confirmed with the password: no path spelling can stand for "all".
/// </summary>
internal static class PrivacyEndpoints
{
    public const string AllKinds = "all";

    public static IEndpointRouteBuilder MapPrivacyEndpoints(this IEndpointRouteBuilder routes)
    {
        var privacy = routes.MapGroup("/api/privacy");
        privacy.MapGet("/inventory", (PersonalDataService service) => TypedResults.Ok(service.Inventory)).WithName("GetPersonalDataInventory").AllowAnyone("What personal data the camera keeps, why, for how long, and where.");
        privacy.MapGet("/data", (PersonalDataService service) => TypedResults.Ok(service.Counts())).WithName("CountPersonalData").RequirePermission(Privilege.ManagePersonalData, "How many items of each deletable kind of personal data are stored now.");
        privacy.MapDelete("/data/" + AllKinds, DeleteAllAsync).WithName("DeleteAllPersonalData").RequirePermission(Privilege.ManagePersonalData, "Delete every kind of personal data at once (password re-entry required).").Accepts<DeleteAllRequest>(JsonBody.MediaType);
        privacy.MapDelete("/data/{kind}", DeleteKind).WithName("DeletePersonalData").RequirePermission(Privilege.ManagePersonalData, "Delete one kind of personal data (recordings, motion events, accounts, security log personal fields, telemetry).");
        return routes;
    }

    private static IResult DeleteKind(string kind, HttpContext http, PersonalDataService service)
    {
        if (!service.Deletable.Contains(kind))
        {
            return Problems.Create(StatusCodes.Status404NotFound, "unknown-data-kind",
                $"'{kind}' is not a kind of personal data that can be deleted; kinds: {string.Join(", ", service.Deletable)}, or {AllKinds} (with your password).");
        }

        var session = http.CurrentSession()!;
        return TypedResults.Ok(new DeletionResult(service.Delete(kind, new ErasureRequest(session.AccountId, session.Username, http.ClientSource()))));
    }

    private static async Task<IResult> DeleteAllAsync(HttpContext http, PersonalDataService service, TimeProvider time, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<DeleteAllRequest>(http.Request, cancellationToken);
        if (!body.Succeeded)
        {
            return body.Problem!;
        }

        var (confirmed, removed) = service.DeleteAll(http.CurrentSession()!, body.Value!.Password!, http.ClientSource());
        return confirmed.Result switch
        {
            StepUpResult.Throttled => StepUpProblems.Throttled(http, confirmed, time),
            StepUpResult.WrongPassword => Problems.Create(StatusCodes.Status403Forbidden, "password-required", "Type your own password to delete all personal data."),
            _ => TypedResults.Ok(new DeletionResult(removed!)),
        };
    }
}
