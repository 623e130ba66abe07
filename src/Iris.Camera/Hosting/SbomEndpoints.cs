using System.Text.Json;
using Iris.Camera.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Iris.Camera.Hosting;

/// <summary>One line of the About section's component list.</summary>
public sealed record SbomComponentInfo(string Type, string Name, string? Version);

/// <summary>The components of the shipped SBOM; <c>Available</c> is false for a build without one (development).</summary>
public sealed record SbomSummary(bool Available, IReadOnlyList<SbomComponentInfo> Components);

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
        routes.MapGet("/api/device/sbom/components", GetComponents).WithName("GetSbomComponents").AllowAnySession("The SBOM's components, listed on the About section.");
        return routes;
    }

    private static async Task<Ok<SbomSummary>> GetComponents(CancellationToken cancellationToken)
    {
        var file = Path.Combine(AppContext.BaseDirectory, FileName);
        if (!File.Exists(file))
        {
            return TypedResults.Ok(new SbomSummary(false, []));
        }

        await using var stream = File.OpenRead(file);
        using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
        var components = document.RootElement.TryGetProperty("components", out var list)
            ? list.EnumerateArray().Select(c => new SbomComponentInfo(Text(c, "type") ?? "", Text(c, "name") ?? "", Text(c, "version"))).ToList()
            : [];
        return TypedResults.Ok(new SbomSummary(true, components));
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static Results<PhysicalFileHttpResult, ProblemHttpResult> GetSbom()
    {
        var file = Path.Combine(AppContext.BaseDirectory, FileName);
        return File.Exists(file)
            ? TypedResults.PhysicalFile(file, MediaType, FileName)
            : Problems.Create(StatusCodes.Status404NotFound, "sbom-missing", "This build carries no SBOM.", "Releases built by iris-factory carry one; development builds do not.");
    }
}
