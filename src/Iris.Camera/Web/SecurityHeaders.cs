namespace Iris.Camera.Web;

/// <summary>
/// Headers on every response, errors included (they are added when the response starts, after any handler
/// has cleared headers; <see cref="KestrelRejections"/> writes the same ones on the answers Kestrel makes before
/// the pipeline runs). The CSP allows no inline script and no framing.
/// </summary>
internal static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; " +
        "connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; " +
        "frame-ancestors 'none'; object-src 'none'";

    /// <summary>The headers every response carries.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Always { get; } =
    [
        new("Strict-Transport-Security", "max-age=31536000"),
        new("Content-Security-Policy", ContentSecurityPolicy),
        new("X-Content-Type-Options", "nosniff"),
        new("X-Frame-Options", "DENY"),
        new("Referrer-Policy", "no-referrer"),
        new("Cross-Origin-Opener-Policy", "same-origin"),
        new("Cross-Origin-Resource-Policy", "same-origin"),
        new("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    ];

    /// <summary>The headers API responses and errors carry in addition: nothing of them may be cached.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> NotCached { get; } =
    [
        new("Cache-Control", "no-store"),
        new("Pragma", "no-cache"),
    ];

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            context.Response.OnStarting(static state =>
            {
                var http = (HttpContext)state;
                var headers = http.Response.Headers;
                foreach (var (name, value) in Always)
                {
                    headers[name] = value;
                }

                if (http.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal) || http.Response.StatusCode >= 400)
                {
                    foreach (var (name, value) in NotCached)
                    {
                        headers[name] = value;
                    }
                }

                return Task.CompletedTask;
            }, context);
            return next(context);
        });
}
