using Microsoft.AspNetCore.Http.HttpResults;
using System.ComponentModel.DataAnnotations;
using Iris.Camera.Web;

namespace Iris.Camera.Debug;

public sealed class DebugUnlockRequest
{
    /// <summary>The vendor's unlock token for this device and a nonce it issued.</summary>
    [Required]
    [StringLength(DebugToken.MaxLength, MinimumLength = 1)]
    public string? Token { get; set; }
}

public sealed record DebugNonce(string Serial, string Nonce, DateTimeOffset ExpiresAt);

public sealed record DebugState(bool Open, DateTimeOffset? OpenUntil);

internal static class DebugEndpoints
{
    public static IEndpointRouteBuilder MapDebugEndpoints(this IEndpointRouteBuilder routes)
    {
        var debug = routes.MapGroup("/api/debug");
        debug.MapGet("/", State).WithName("DebugState").RequirePermission(Privilege.DebugAccess, "Whether the debug console is open, and until when.");
        debug.MapPost("/nonce", Nonce).WithName("DebugNonce").RequirePermission(Privilege.DebugAccess, "A single-use nonce for the vendor to sign into a debug unlock token.");
        debug.MapPost("/unlock", UnlockAsync).WithName("DebugUnlock").RequirePermission(Privilege.DebugAccess, "Open the debug console with a vendor token (logged and alerted).").Accepts<DebugUnlockRequest>(JsonBody.MediaType);
        debug.MapPost("/close", Close).WithName("DebugClose").RequirePermission(Privilege.DebugAccess, "Close the debug console now.");
        return routes;
    }

    private static Ok<DebugState> State(DebugConsole console) => TypedResults.Ok(new DebugState(console.IsOpen, console.IsOpen ? console.OpenUntil : null));

    private static Ok<DebugNonce> Nonce(DebugConsole console, Identity.DeviceIdentity identity)
    {
        var (nonce, expiresAt) = console.IssueNonce();
        return TypedResults.Ok(new DebugNonce(identity.Serial, nonce, expiresAt));
    }

    private static async Task<IResult> UnlockAsync(HttpContext http, DebugConsole console, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<DebugUnlockRequest>(http.Request, cancellationToken);
        if (!body.Succeeded)
        {
            return body.Problem!;
        }

        return console.Unlock(body.Value!.Token!, http.Actor().Username, http.ClientSource()) switch
        {
            DebugRefusal.None => TypedResults.Ok(new DebugState(true, console.OpenUntil)),
            DebugRefusal.NoVendorKey => Problems.Create(StatusCodes.Status409Conflict, "debug-disabled", "This device has no vendor debug key; the debug console cannot be opened."),
            DebugRefusal.WrongDevice => Problems.Create(StatusCodes.Status403Forbidden, "debug-token-wrong-device", "The token is for another device."),
            DebugRefusal.UnknownNonce => Problems.Create(StatusCodes.Status403Forbidden, "debug-token-nonce", "The token's nonce was not issued by this device, has expired or was already used."),
            DebugRefusal.Expired => Problems.Create(StatusCodes.Status403Forbidden, "debug-token-expired", "The token has expired."),
            DebugRefusal.TooLong => Problems.Create(StatusCodes.Status403Forbidden, "debug-token-too-long", "A debug token may grant at most 24 hours from now, and must not be issued in the future."),
            _ => Problems.Create(StatusCodes.Status403Forbidden, "debug-token-invalid", "The token is not signed by the vendor's debug key."),
        };
    }

    private static NoContent Close(HttpContext http, DebugConsole console)
    {
        console.Close("closed by an administrator", http.Actor().Username, http.ClientSource());
        return TypedResults.NoContent();
    }
}
