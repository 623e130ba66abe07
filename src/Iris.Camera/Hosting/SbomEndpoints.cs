using Iris.Camera.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Iris.Camera.Hosting;

/// <summary>
/// The software bill of materials the factory wrote into this release (<c>sbom.cdx.json</c> in the install
/// directory, inside the signed bundle), for the About section: which components, in which versions. Signed-in
/// users only: the list of versions is what an attacker on the network would look up first.
/// </summary>
internal static class SbomEndpoints
{
    public const string FileName = "sbom.cdx.json";
    public const string MediaType = "application/vnd.cyclonedx+json";

    public static IEndpointRouteBuilder MapSbomEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/device/sbom", GetSbom).WithName("GetSbom").AllowAnySession("The release's SBOM (CycloneDX 1.6) for the About section.");
        return routes;
    }

    private static Results<PhysicalFileHttpResult, ProblemHttpResult> GetSbom()
    {
        var file = Path.Combine(AppContext.BaseDirectory, FileName);
        return File.Exists(file)
            ? TypedResults.PhysicalFile(file, MediaType, FileName)
            : Problems.Create(StatusCodes.Status404NotFound, "sbom-missing", "This build carries no SBOM.", "Releases built by iris-factory carry one; development builds do not.");
    }
}
