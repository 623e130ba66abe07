namespace Iris.Relay;

/// <summary>
/// Serves the viewer page from the assembly. The page reads its session, token and keys from the URL fragment,
/// which browsers never send to a server, and its Content-Security-Policy lets it talk to this relay only.
/// </summary>
internal static class ViewerPage
{
    private const string Policy = "default-src 'none'; script-src 'self'; connect-src 'self'; media-src blob:; style-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static IResult Serve(string name, string contentType)
    {
        using var stream = typeof(ViewerPage).Assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"{name} is not embedded.");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return new PageResult(memory.ToArray(), contentType);
    }

    private sealed class PageResult(byte[] body, string contentType) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var headers = httpContext.Response.Headers;
            headers.ContentSecurityPolicy = Policy;
            headers.CacheControl = "no-store";
            headers["Referrer-Policy"] = "no-referrer";
            headers.XContentTypeOptions = "nosniff";
            headers["Strict-Transport-Security"] = "max-age=31536000";
            httpContext.Response.ContentType = contentType;
            return httpContext.Response.Body.WriteAsync(body).AsTask();
        }
    }
}
