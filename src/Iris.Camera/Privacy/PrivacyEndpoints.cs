using Iris.Camera.Accounts;
using Iris.Camera.Storage;
using Iris.Camera.Web;

namespace Iris.Camera.Privacy;

public sealed record DeletionResult(IReadOnlyDictionary<string, int> Deleted);

/// <summary>The personal data inventory (anyone may read it) and deletion per kind or all (administrators).</summary>
internal static class PrivacyEndpoints
{
    public static IEndpointRouteBuilder MapPrivacyEndpoints(this IEndpointRouteBuilder routes)
    {
        var privacy = routes.MapGroup("/api/privacy");
        privacy.MapGet("/inventory", (PersonalDataService service) => TypedResults.Ok(service.Inventory)).WithName("GetPersonalDataInventory").AllowAnyone("What personal data the camera keeps, why, for how long, and where.");
        privacy.MapDelete("/data", (HttpContext http, PersonalDataService service) => Delete(http, service, null)).WithName("DeleteAllPersonalData").RequirePermission(Privilege.ManagePersonalData, "Delete every kind of personal data at once.");
        privacy.MapDelete("/data/{kind}", (string kind, HttpContext http, PersonalDataService service) => Delete(http, service, kind)).WithName("DeletePersonalData").RequirePermission(Privilege.ManagePersonalData, "Delete one kind of personal data (recordings, motion events, accounts, security log, telemetry).");
        return routes;
    }

    private static IResult Delete(HttpContext http, PersonalDataService service, string? kind)
    {
        if (kind is not null && !service.Deletable.Contains(kind))
        {
            return Problems.Create(StatusCodes.Status404NotFound, "unknown-data-kind",
                $"'{kind}' is not a kind of personal data that can be deleted; kinds: {string.Join(", ", service.Deletable)}.");
        }

        var session = http.CurrentSession()!;
        var removed = service.Delete(kind, new ErasureRequest(session.AccountId, session.Username, LoginThrottle.SourceKey(http.Connection.RemoteIpAddress)));
        return TypedResults.Ok(new DeletionResult(removed));
    }
}
