namespace Iris.Camera.Web;

/// <summary>What a role may do. Each endpoint needs at most one permission.</summary>
public enum Privilege
{
    ManageUsers,
    ViewSecurityLog,
    ManageSettings,
    ManageUpdates,
    LiveView,
    ViewRecordings,
    DeleteRecordings,
    ManagePersonalData,
    FactoryReset,
    DebugAccess,
}

/// <summary>Who may call an endpoint.</summary>
public enum AccessKind
{
    /// <summary>Anyone, without signing in.</summary>
    Anonymous,

    /// <summary>Any signed-in session, including one that must still change its password.</summary>
    AnySession,

    /// <summary>A full session whose role grants <see cref="AccessRule.Permission"/>.</summary>
    Permission,
}

/// <summary>Endpoint metadata: who may call it and what it is for. Attached where the endpoint is mapped.</summary>
public sealed record AccessRule(AccessKind Kind, Privilege? Permission, string Purpose);

/// <summary>
/// How an endpoint states its permission where it is mapped: <c>.AllowAnyone(...)</c>, <c>.AllowAnySession(...)</c>
/// or <c>.RequirePermission(Privilege.X, ...)</c>. An endpoint without one is refused to everybody.
/// </summary>
public static class AccessRuleConventions
{
    public static TBuilder AllowAnyone<TBuilder>(this TBuilder builder, string purpose)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AccessRule(AccessKind.Anonymous, null, purpose));

    public static TBuilder AllowAnySession<TBuilder>(this TBuilder builder, string purpose)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AccessRule(AccessKind.AnySession, null, purpose));

    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, Privilege permission, string purpose)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AccessRule(AccessKind.Permission, permission, purpose));
}

/// <summary>Who is making a request, as the access check resolved it; set for every signed-in request.</summary>
public sealed record RequestActor(long AccountId, string Username);

public static class RequestActorExtensions
{
    /// <summary>The signed-in caller of an endpoint that requires a session (the access check guarantees one).</summary>
    public static RequestActor Actor(this HttpContext context) =>
        context.Features.Get<RequestActor>() ?? throw new InvalidOperationException("This endpoint runs only for a signed-in session.");
}
