using Iris.Camera.Web;
using Microsoft.AspNetCore.Http.Features;

namespace Iris.Camera.Accounts;

/// <summary>
/// Resolves the session cookie and enforces each endpoint's <see cref="AccessRule"/>, plus the anti-CSRF
/// header on state-changing requests of a session. Runs after routing, before any handler.
/// </summary>
internal static class AccessControl
{
    public const string SessionCookie = "__Host-iris-session";
    public const string CsrfHeader = "X-CSRF-Token";
    public const string CsrfCookie = "__Host-iris-csrf";

    public static CameraSession? CurrentSession(this HttpContext context) => context.Features.Get<CameraSession>();

    public static IApplicationBuilder UseAccessControl(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var endpoint = context.GetEndpoint();
            if (endpoint is null)
            {
                await next(context);
                return;
            }

            var entry = endpoint.Metadata.GetMetadata<AccessRule>();
            if (entry is null)
            {
                // Fail closed: an endpoint mapped without a permission is reachable by nobody.
                await Problems.Create(StatusCodes.Status403Forbidden, "no-permission-entry", "This endpoint is not open to anyone.").ExecuteAsync(context);
                return;
            }

            var session = context.Request.Cookies.TryGetValue(SessionCookie, out var token) && token is not null
                ? context.RequestServices.GetRequiredService<SessionStore>().Find(token)
                : null;
            if (session is not null)
            {
                context.Features.Set(session);
                context.Features.Set(new RequestActor(session.AccountId, session.Username));
            }

            var problem = Decide(entry, session, context.Request);
            if (problem is not null)
            {
                await problem.ExecuteAsync(context);
                return;
            }

            await next(context);
        });

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult? Decide(AccessRule entry, CameraSession? session, HttpRequest request)
    {
        if (entry.Kind == AccessKind.Anonymous)
        {
            return null;
        }

        if (session is null)
        {
            return Problems.Create(StatusCodes.Status401Unauthorized, "not-signed-in", "Sign in first.");
        }

        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method)
            && !SessionStore.CsrfMatches(session, request.Headers[CsrfHeader].ToString()))
        {
            return Problems.Create(StatusCodes.Status403Forbidden, "csrf-token-missing", "The request lacks this session's anti-forgery token.");
        }

        if (entry.Kind == AccessKind.Permission && session.MustChangePassword)
        {
            return Problems.Create(StatusCodes.Status403Forbidden, "password-change-required",
                "The password must be changed before anything else.", "Set a new password with POST /api/auth/password.");
        }

        return PermissionTable.Allows(entry, session)
            ? null
            : Problems.Create(StatusCodes.Status403Forbidden, "forbidden", "Your role does not allow this.");
    }
}
