namespace Iris.Camera.Web;

/// <summary>
/// When a path exists but not for the request's method, routing selects an endpoint of its own that answers 405
/// with an Allow header. That endpoint carries no metadata, so it declares no <see cref="AccessRule"/> and access
/// control (which fails closed) would answer 403. This runs between routing and the input and access checks and
/// answers it as what it is: 405 problem details with the Allow header. It runs nothing of a module.
/// </summary>
internal static class MethodRejection
{
    // Routing's own name for that endpoint (HttpMethodMatcherPolicy); a test fails if a new ASP.NET Core renames it.
    private const string RoutingRejectionName = "405 HTTP Method Not Supported";

    public static IApplicationBuilder UseMethodRejection(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var endpoint = context.GetEndpoint();
            if (endpoint is null || endpoint is RouteEndpoint || endpoint.Metadata.Count > 0
                || !string.Equals(endpoint.DisplayName, RoutingRejectionName, StringComparison.Ordinal) || endpoint.RequestDelegate is null)
            {
                await next(context);
                return;
            }

            // Routing's delegate sets the status and the Allow header listing the methods the path takes.
            await endpoint.RequestDelegate(context);
            var allowed = context.Response.Headers.Allow.ToString();
            await Problems.Create(StatusCodes.Status405MethodNotAllowed, "method-not-allowed",
                "This resource does not take this method.", allowed.Length > 0 ? $"Use {allowed}." : null).ExecuteAsync(context);
        });
}
