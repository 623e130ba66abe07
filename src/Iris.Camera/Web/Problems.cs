using Microsoft.AspNetCore.Http.HttpResults;

namespace Iris.Camera.Web;

/// <summary>
/// RFC 9457 problem details for every error. Problem types are URNs under urn:iris:problem:, stable for clients.
/// No exception text ever reaches a client; the exception is logged on the device instead (<see cref="ErrorBoundary"/>).
/// Titles and details follow the request's Accept-Language (<see cref="ProblemTexts"/>); the type never does.
/// </summary>
internal static class Problems
{
    public const string TypePrefix = "urn:iris:problem:";

    public const string MediaType = "application/problem+json";

    public static ProblemHttpResult Create(int status, string type, string title, string? detail = null) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title, type: TypePrefix + type);

    public static IServiceCollection AddIrisProblemDetails(this IServiceCollection services) =>
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            // The exception middleware may add an "exception" member in Development; never send it.
            context.ProblemDetails.Extensions.Remove("exception");
            // Status-code pages and the framework default to RFC links; clients key on our stable URNs.
            if (context.ProblemDetails.Type?.StartsWith(TypePrefix, StringComparison.Ordinal) != true)
            {
                context.ProblemDetails.Type = TypePrefix + "http-" + (context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode);
            }

            ProblemTexts.Localize(context.ProblemDetails, context.HttpContext);
        });
}
