using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Iris.Camera.Web;

/// <summary>
/// RFC 9457 problem details for every error. Problem types are URNs under urn:iris:problem:, stable for clients.
/// No exception text ever reaches a client; the exception is logged on the device instead.
/// </summary>
internal static class Problems
{
    public const string TypePrefix = "urn:iris:problem:";

    public static ProblemHttpResult Create(int status, string type, string title, string? detail = null) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title, type: TypePrefix + type);

    public static IServiceCollection AddIrisProblemDetails(this IServiceCollection services) =>
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            // The exception middleware may add an "exception" member in Development; never send it.
            context.ProblemDetails.Extensions.Remove("exception");
            context.ProblemDetails.Type ??= TypePrefix + "http-" + context.ProblemDetails.Status;
        });

    public static IApplicationBuilder UseIrisExceptionHandler(this IApplicationBuilder app) =>
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = async context =>
            {
                var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
                var (status, type, title) = error switch
                {
                    BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
                        (StatusCodes.Status413PayloadTooLarge, "body-too-large", "The request body is too large."),
                    BadHttpRequestException bad =>
                        (bad.StatusCode, "bad-request", "The request could not be read."),
                    _ => (StatusCodes.Status500InternalServerError, "internal", "The device could not complete the request."),
                };
                context.Response.StatusCode = status;
                var writer = context.RequestServices.GetRequiredService<IProblemDetailsService>();
                await writer.WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context,
                    ProblemDetails = { Status = status, Type = TypePrefix + type, Title = title },
                });
            },
        });
}
