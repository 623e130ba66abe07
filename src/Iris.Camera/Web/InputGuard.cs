using Microsoft.AspNetCore.Http.Metadata;

namespace Iris.Camera.Web;

/// <summary>Endpoint metadata naming the query parameters an endpoint reads; any other is refused.</summary>
internal sealed class AllowedQueryMetadata(params string[] names)
{
    public IReadOnlySet<string> Names { get; } = new HashSet<string>(names, StringComparer.Ordinal);
}

/// <summary>
/// Refuses, before any handler runs, input an endpoint does not take (5.5.2.1): a body sent to an endpoint that
/// declares none, a body of a content type it does not accept, query parameters it does not declare, and a
/// query parameter given more than once (handlers read one value; which one would be up to the binder).
/// Endpoints that read a JSON body declare it with Accepts (minimal APIs add it for [FromBody] parameters).
/// </summary>
internal static class InputGuard
{
    public static RouteHandlerBuilder AllowQuery(this RouteHandlerBuilder builder, params string[] names) =>
        builder.WithMetadata(new AllowedQueryMetadata(names));

    public static IApplicationBuilder UseInputGuard(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var endpoint = context.GetEndpoint();
            if (endpoint is null)
            {
                await next(context);
                return;
            }

            var problem = Check(context.Request, endpoint);
            if (problem is not null)
            {
                await problem.ExecuteAsync(context);
                return;
            }

            await next(context);
        });

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult? Check(HttpRequest request, Endpoint endpoint)
    {
        var allowedQuery = endpoint.Metadata.GetMetadata<AllowedQueryMetadata>();
        foreach (var key in request.Query.Keys)
        {
            if (allowedQuery is null || !allowedQuery.Names.Contains(key))
            {
                return Problems.Create(StatusCodes.Status400BadRequest, "unknown-query-parameter",
                    "The request has a query parameter this endpoint does not take.",
                    $"Query parameter '{Truncate(key)}' is not accepted here.");
            }

            if (request.Query[key].Count > 1)
            {
                return Problems.Create(StatusCodes.Status400BadRequest, "repeated-query-parameter",
                    "The request gives a query parameter more than once.",
                    $"Query parameter '{Truncate(key)}' may be given once.");
            }
        }

        var hasBody = request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0;
        if (!hasBody)
        {
            return null;
        }

        var accepts = endpoint.Metadata.GetMetadata<IAcceptsMetadata>();
        if (accepts is null)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "body-not-allowed", "This endpoint takes no request body.");
        }

        var mediaType = request.ContentType?.Split(';', 2)[0].Trim();
        if (mediaType is null || !accepts.ContentTypes.Contains(mediaType, StringComparer.OrdinalIgnoreCase))
        {
            return Problems.Create(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type",
                "The request body has a content type this endpoint does not accept.",
                $"Send {string.Join(" or ", accepts.ContentTypes)}.");
        }

        return null;
    }

    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
