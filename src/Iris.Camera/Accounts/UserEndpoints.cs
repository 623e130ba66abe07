using System.ComponentModel.DataAnnotations;
using Iris.Camera.Events;
using Iris.Camera.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Iris.Camera.Accounts;

public sealed class CreateUserRequest
{
    [Required, RegularExpression("^[A-Za-z0-9][A-Za-z0-9._-]{2,31}$", ErrorMessage = "3-32 letters, digits, '.', '_' or '-', starting with a letter or digit.")]
    public string? Username { get; set; }

    [Required]
    public Role? Role { get; set; }

    [Required, StringLength(1024, MinimumLength = 1)]
    public string? Password { get; set; }
}

public sealed class UpdateUserRequest
{
    public Role? Role { get; set; }

    public bool? Disabled { get; set; }
}

public sealed class ResetPasswordRequest
{
    [Required, StringLength(1024, MinimumLength = 1)]
    public string? NewPassword { get; set; }
}

public sealed record UserSummary(string Username, Role Role, bool Disabled, bool MustChangePassword);

/// <summary>Account administration (5.1.2.1). New and reset passwords are temporary: the user must change them.</summary>
internal static class UserEndpoints
{
    public static IEndpointRouteBuilder MapUserEndpoints(this IEndpointRouteBuilder routes)
    {
        var users = routes.MapGroup("/api/users");
        users.MapGet("/", List).WithName("ListUsers").RequirePermission(Privilege.ManageUsers, "List accounts.");
        users.MapPost("/", CreateAsync).WithName("CreateUser").RequirePermission(Privilege.ManageUsers, "Create an account.").Accepts<CreateUserRequest>(JsonBody.MediaType);
        users.MapPatch("/{username}", UpdateAsync).WithName("UpdateUser").RequirePermission(Privilege.ManageUsers, "Change an account's role or disable it.").Accepts<UpdateUserRequest>(JsonBody.MediaType);
        users.MapDelete("/{username}", Delete).WithName("DeleteUser").RequirePermission(Privilege.ManageUsers, "Delete an account (never the last administrator).");
        users.MapPost("/{username}/password", ResetPasswordAsync).WithName("ResetUserPassword").RequirePermission(Privilege.ManageUsers, "Set a temporary password the user must change.").Accepts<ResetPasswordRequest>(JsonBody.MediaType);
        return routes;
    }

    private static Ok<UserSummary[]> List(AccountStore accounts) =>
        TypedResults.Ok(accounts.List().Select(a => new UserSummary(a.Username, a.Role, a.Disabled, a.MustChangePassword)).ToArray());

    private static async Task<IResult> CreateAsync(HttpContext http, AccountStore accounts, PasswordHasher hasher, NewPasswordRules rules,
        SecurityEventLog events, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<CreateUserRequest>(http.Request, cancellationToken);
        if (!body.Succeeded)
        {
            return body.Problem!;
        }

        var request = body.Value!;
        if (rules.Check(request.Password!, request.Username!) is { } reason)
        {
            return WeakPassword("password", reason);
        }

        if (!accounts.Create(request.Username!, request.Role!.Value, hasher.Hash(request.Password!), mustChangePassword: true))
        {
            return Problems.Create(StatusCodes.Status409Conflict, "user-exists", "An account with this username exists.");
        }

        events.Append(SecurityEventKinds.UserCreated, Source(http), http.CurrentSession()!.Username, $"{request.Username} as {request.Role}");
        return TypedResults.Created($"/api/users/{request.Username}", new UserSummary(request.Username!, request.Role.Value, false, true));
    }

    private static async Task<IResult> UpdateAsync(string username, HttpContext http, AccountStore accounts, SecurityEventLog events, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<UpdateUserRequest>(http.Request, cancellationToken);
        if (!body.Succeeded)
        {
            return body.Problem!;
        }

        var change = accounts.Update(username, body.Value!.Role, body.Value.Disabled);
        if (change == AccountChange.Done)
        {
            events.Append(SecurityEventKinds.UserChanged, Source(http), http.CurrentSession()!.Username,
                $"{username}: role {body.Value.Role?.ToString() ?? "unchanged"}, disabled {body.Value.Disabled?.ToString() ?? "unchanged"}; sessions revoked");
        }

        return Result(change);
    }

    private static IResult Delete(string username, HttpContext http, AccountStore accounts, SecurityEventLog events)
    {
        var change = accounts.Delete(username);
        if (change == AccountChange.Done)
        {
            // Without the deleted name: the deletion removed it from every other record (SecurityLogAccountData).
            events.Append(SecurityEventKinds.UserDeleted, Source(http), http.CurrentSession()!.Username);
        }

        return Result(change);
    }

    private static async Task<IResult> ResetPasswordAsync(string username, HttpContext http, AccountStore accounts, PasswordHasher hasher,
        NewPasswordRules rules, SecurityEventLog events, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<ResetPasswordRequest>(http.Request, cancellationToken);
        if (!body.Succeeded)
        {
            return body.Problem!;
        }

        var account = accounts.Find(username);
        if (account is null)
        {
            return Result(AccountChange.NotFound);
        }

        if (rules.Check(body.Value!.NewPassword!, account.Username) is { } reason)
        {
            return WeakPassword("newPassword", reason);
        }

        accounts.SetPassword(account.Id, hasher.Hash(body.Value.NewPassword!), mustChangePassword: true);
        events.Append(SecurityEventKinds.PasswordReset, Source(http), http.CurrentSession()!.Username, $"{account.Username}; sessions revoked");
        return TypedResults.NoContent();
    }

    private static IResult Result(AccountChange change) => change switch
    {
        AccountChange.Done => TypedResults.NoContent(),
        AccountChange.NotFound => Problems.Create(StatusCodes.Status404NotFound, "user-not-found", "No account has this username."),
        _ => Problems.Create(StatusCodes.Status409Conflict, "last-administrator", "The last enabled administrator cannot be removed, disabled or demoted."),
    };

    private static ValidationProblem WeakPassword(string field, string reason) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [reason] },
            title: "The password is not acceptable.", type: Problems.TypePrefix + "weak-password");

    private static string Source(HttpContext http) => http.ClientSource();
}
