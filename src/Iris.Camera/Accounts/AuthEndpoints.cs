using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Iris.Camera.Events;
using Iris.Camera.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Iris.Camera.Accounts;

public sealed class LoginRequest
{
    [Required, StringLength(64, MinimumLength = 1), PlainText]
    public string? Username { get; set; }

    [Required, StringLength(1024, MinimumLength = 1)]
    public string? Password { get; set; }

    [Required, RegularExpression("^[0-9a-f]{128}$", ErrorMessage = "The nonce must come from POST /api/auth/nonce.")]
    public string? Nonce { get; set; }
}

public sealed class ChangePasswordRequest
{
    [Required, StringLength(1024, MinimumLength = 1)]
    public string? CurrentPassword { get; set; }

    [Required, StringLength(1024, MinimumLength = 1)]
    public string? NewPassword { get; set; }
}

public sealed class PasswordStrengthRequest
{
    [Required, StringLength(1024, MinimumLength = 1)]
    public string? Password { get; set; }
}

/// <summary>Whether a candidate password would be accepted for this account, and the guess estimate the rules use.</summary>
public sealed record PasswordStrengthView(bool Acceptable, double Log10Guesses, double MinimumLog10Guesses);

public sealed record NonceResponse(string Nonce, DateTimeOffset ExpiresAt);

public sealed record SessionInfo(string Username, Role Role, bool MustChangePassword, string? CsrfToken);

/// <summary>Sign-in, sign-out and one's own password (5.1.1.3, 5.1.2.2, 5.1.3.1, 5.4.2.2): credentials only in bodies.</summary>
internal static class AuthEndpoints
{
    public static IEndpointRouteBuilder MapAuthEndpoints(this IEndpointRouteBuilder routes)
    {
        var auth = routes.MapGroup("/api/auth");
        auth.MapPost("/nonce", IssueNonce).WithName("IssueLoginNonce").AllowAnyone("A single-use nonce for the next login.");
        auth.MapPost("/login", LoginAsync).WithName("Login").AllowAnyone("Sign in with username, password and nonce.").Accepts<LoginRequest>(JsonBody.MediaType);
        auth.MapGet("/session", GetSession).WithName("GetSession").AllowAnySession("Who is signed in, and whether the password must change.");
        auth.MapPost("/logout", Logout).WithName("Logout").AllowAnySession("End this session.");
        auth.MapPost("/password/strength", EstimateAsync).WithName("EstimatePasswordStrength").AllowAnySession("How guessable a candidate new password is, by the rules a password change enforces (for the strength meter).").Accepts<PasswordStrengthRequest>(JsonBody.MediaType);
        auth.MapPost("/password", ChangePasswordAsync).WithName("ChangeOwnPassword").AllowAnySession("Change one's own password (the only step a default-password session may take).").Accepts<ChangePasswordRequest>(JsonBody.MediaType);
        return routes;
    }

    private static IResult IssueNonce(HttpContext http, LoginNonces nonces, TimeProvider time)
    {
        var issue = nonces.Issue(http.ClientSource());
        if (issue.Issued is { } issued)
        {
            return TypedResults.Ok(new NonceResponse(issued.Nonce, issued.ExpiresAt));
        }

        var seconds = Math.Max(1, (int)Math.Ceiling((issue.RetryAt - time.GetUtcNow()).TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return Problems.Create(StatusCodes.Status429TooManyRequests, "busy", "Too many sign-in requests from this address. Try again shortly.");
    }

    private static async Task<IResult> LoginAsync(HttpContext http, LoginService login, AccountsOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<LoginRequest>(http.Request, cancellationToken);
        if (!body.Succeeded)
        {
            return body.Problem!;
        }

        var request = body.Value!;
        var outcome = await login.AttemptAsync(request.Username!, request.Password!, request.Nonce!, http.ClientSource(), cancellationToken);
        switch (outcome.Result)
        {
            case LoginResult.Succeeded:
                http.Response.Cookies.Append(AccessControl.SessionCookie, outcome.Session!.Token, new CookieOptions
                {
                    Secure = true,
                    HttpOnly = true,
                    SameSite = SameSiteMode.Strict,
                    Path = "/",
                    IsEssential = true,
                    MaxAge = options.SessionAbsoluteTimeout,
                });

                // Readable by the UI's script (double-submit); the server checks the header against its stored hash.
                http.Response.Cookies.Append(AccessControl.CsrfCookie, outcome.Session.CsrfToken, new CookieOptions
                {
                    Secure = true,
                    HttpOnly = false,
                    SameSite = SameSiteMode.Strict,
                    Path = "/",
                    IsEssential = true,
                    MaxAge = options.SessionAbsoluteTimeout,
                });
                return TypedResults.Ok(new SessionInfo(outcome.Account!.Username, outcome.Account.Role, outcome.Account.MustChangePassword, outcome.Session.CsrfToken));
            case LoginResult.NonceRejected:
                return Problems.Create(StatusCodes.Status400BadRequest, "nonce-rejected",
                    "The sign-in request was already used or has expired.", "Request a new nonce and sign in again.");
            case LoginResult.Throttled:
                var seconds = Math.Max(1, (int)Math.Ceiling((outcome.RetryAt!.Value - time.GetUtcNow()).TotalSeconds));
                http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                return TypedResults.Problem(
                    title: outcome.Locked ? "Sign-in is locked after repeated failures." : "Too many failed sign-ins.",
                    detail: $"Try again after {outcome.RetryAt.Value.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)}.",
                    statusCode: StatusCodes.Status429TooManyRequests,
                    type: Problems.TypePrefix + (outcome.Locked ? "login-locked" : "login-throttled"),
                    extensions: new Dictionary<string, object?> { ["retryAt"] = outcome.RetryAt.Value });
            case LoginResult.Busy:
                http.Response.Headers.RetryAfter = "1";
                return Problems.Create(StatusCodes.Status429TooManyRequests, "busy", "The device is busy with other sign-ins. Try again shortly.");
            default:
                // The same answer for an unknown user, a wrong password and a disabled account.
                return Problems.Create(StatusCodes.Status401Unauthorized, "login-failed", "The username or password is wrong.");
        }
    }

    private static Ok<SessionInfo> GetSession(HttpContext http)
    {
        var session = http.CurrentSession()!;
        return TypedResults.Ok(new SessionInfo(session.Username, session.Role, session.MustChangePassword, null));
    }

    private static NoContent Logout(HttpContext http, SessionStore sessions, SecurityEventLog events)
    {
        var session = http.CurrentSession()!;
        sessions.Revoke(session.TokenHash);
        events.Append(SecurityEventKinds.Logout, http.ClientSource(), session.Username);
        http.Response.Cookies.Delete(AccessControl.SessionCookie, new CookieOptions { Secure = true, HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/" });
        http.Response.Cookies.Delete(AccessControl.CsrfCookie, new CookieOptions { Secure = true, SameSite = SameSiteMode.Strict, Path = "/" });
        return TypedResults.NoContent();
    }

    // The same rules and estimate as a change, so the meter never calls a password good that the change refuses.
    // Only a signed-in session may ask (no oracle for strangers); the candidate stays in memory and is never logged.
    private static async Task<IResult> EstimateAsync(HttpContext http, NewPasswordRules rules, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<PasswordStrengthRequest>(http.Request, cancellationToken);
        if (!body.Succeeded)
        {
            return body.Problem!;
        }

        var username = http.CurrentSession()!.Username;
        var password = body.Value!.Password!;
        return TypedResults.Ok(new PasswordStrengthView(
            rules.Check(password, username) is null,
            Math.Round(rules.Log10Guesses(password, username), 1),
            PasswordStrength.MinimumLog10Guesses));
    }

    private static async Task<IResult> ChangePasswordAsync(HttpContext http, OwnPasswordChange change, TimeProvider time, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<ChangePasswordRequest>(http.Request, cancellationToken);
        if (!body.Succeeded)
        {
            return body.Problem!;
        }

        var outcome = change.Change(http.CurrentSession()!, body.Value!.CurrentPassword!, body.Value.NewPassword!, http.ClientSource());
        return outcome.Result switch
        {
            PasswordChangeResult.Changed => TypedResults.NoContent(),
            PasswordChangeResult.Throttled => StepUpProblems.Throttled(http, outcome.StepUp!, time),
            PasswordChangeResult.WrongPassword => TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["currentPassword"] = ["The current password is wrong."] },
                title: "The password was not changed.", type: Problems.TypePrefix + "invalid-field"),
            _ => TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["newPassword"] = [outcome.Reason!] },
                title: "The new password is not acceptable.", type: Problems.TypePrefix + "weak-password"),
        };
    }
}
