using System.ComponentModel.DataAnnotations;
using Iris.Camera.Accounts;
using Iris.Camera.Events;
using Iris.Camera.Web;

namespace Iris.Camera.Link;

/// <summary>The platform link on the settings page. Administrators only (ManageSettings).</summary>
internal static class LinkEndpoints
{
    public static IEndpointRouteBuilder MapLinkEndpoints(this IEndpointRouteBuilder routes)
    {
        var link = routes.MapGroup("/api/link");
        link.MapGet("/", (LinkService service) => TypedResults.Ok(service.Status()))
            .WithName("GetLink").RequirePermission(Privilege.ManageSettings, "Platform link status: each channel's state and reason, last delivery, queued alerts, dropped alerts.");
        link.MapPost("/test-alert", (HttpContext http, LinkService service) =>
        {
            if (!service.Status().Configured)
            {
                return (IResult)Problems.Create(StatusCodes.Status409Conflict, "link-off", "No broker or webhook is configured on this device.");
            }

            var alert = service.SendTestAlert(http.CurrentSession()!.Username, http.ClientSource());
            return TypedResults.Ok(new TestAlertSent(alert.Id));
        }).WithName("SendTestAlert").RequirePermission(Privilege.ManageSettings, "Raise a test alert that travels every configured channel.");
        link.MapPost("/webhook/key", RenewWebhookKeyAsync)
            .WithName("RenewWebhookKey").RequirePermission(Privilege.ManageSettings, "Make a new webhook signing key (shown once; the old one stops working; password re-entry required).").Accepts<WebhookKeyRequest>(JsonBody.MediaType);
        link.MapGet("/settings", (LinkSettings settings) => TypedResults.Ok(settings.Show()))
            .WithName("GetLinkSettings").RequirePermission(Privilege.ManageSettings, "Broker, webhook and Home Assistant settings of the platform link.");
        link.MapPut("/settings", SetSettingsAsync).WithName("SetLinkSettings")
            .RequirePermission(Privilege.ManageSettings, "Change the broker, the webhook address or what Home Assistant may do; the link reconnects with them.").Accepts<LinkSettingsRequest>(JsonBody.MediaType);
        link.MapPost("/pairing", PairingCodeAsync).WithName("NewPairingCode")
            .RequirePermission(Privilege.ManageSettings, "Make a one-time code (10 minutes) that pairs an owner-app key with the given role.").Accepts<PairingCodeRequest>(JsonBody.MediaType);
        link.MapGet("/keys", (LinkService service) => TypedResults.Ok(service.Keys()))
            .WithName("ListCommandKeys").RequirePermission(Privilege.ManageSettings, "Paired command keys with their roles.");
        link.MapDelete("/keys/{keyId}", (string keyId, HttpContext http, LinkService service) =>
            service.Revoke(keyId, http.CurrentSession()!.Username, http.ClientSource())
                ? (IResult)TypedResults.NoContent()
                : Problems.Create(StatusCodes.Status404NotFound, "key-not-found", "No paired, unrevoked key has this id."))
            .WithName("RevokeCommandKey").RequirePermission(Privilege.ManageSettings, "Revoke a paired command key; its commands are refused from then on.");
        return routes;
    }

    private static async Task<IResult> RenewWebhookKeyAsync(HttpContext http, LinkService service, StepUpAuthentication stepUp, TimeProvider time, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<WebhookKeyRequest>(http.Request, cancellationToken);
        if (!body.Succeeded)
        {
            return body.Problem!;
        }

        // Whoever holds the key can forge alerts to the receiver: a stolen session alone must not be able to take it.
        var session = http.CurrentSession()!;
        var confirmed = stepUp.Verify(session, body.Value!.Password!, http.ClientSource(), "new webhook key");
        return confirmed.Result switch
        {
            StepUpResult.Throttled => StepUpProblems.Throttled(http, confirmed, time),
            StepUpResult.WrongPassword => Problems.Create(StatusCodes.Status403Forbidden, "password-required", "Type your own password to make a new webhook key."),
            _ => TypedResults.Ok(new WebhookKey(service.RenewWebhookSecret(session.Username, http.ClientSource()))),
        };
    }

    private static async Task<IResult> SetSettingsAsync(HttpContext http, LinkSettings settings, SecurityEventLog log, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<LinkSettingsRequest>(http.Request, cancellationToken);
        if (!body.Succeeded)
        {
            return body.Problem!;
        }

        var problems = settings.Check(body.Value!);
        if (problems.Count > 0)
        {
            return TypedResults.ValidationProblem(problems, title: "These link settings cannot be used.", type: Problems.TypePrefix + "invalid-field");
        }

        var before = settings.Show();
        var after = settings.Save(body.Value!);
        log.Append(SecurityEventKinds.SettingsChanged, http.ClientSource(), http.CurrentSession()!.Username, LinkSettings.Describe(before, after));
        return TypedResults.Ok(after);
    }

    private static async Task<IResult> PairingCodeAsync(HttpContext http, LinkService service, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<PairingCodeRequest>(http.Request, cancellationToken);
        if (!body.Succeeded)
        {
            return body.Problem!;
        }

        var (code, expiresAt) = service.NewPairingCode(body.Value!.Role!.Value, body.Value.Label!, http.CurrentSession()!.Username, http.ClientSource());
        return TypedResults.Ok(new PairingCode(code, expiresAt));
    }
}

/// <summary>The role and a name for the key a pairing code will bind.</summary>
public sealed class PairingCodeRequest
{
    [Required]
    public Role? Role { get; set; }

    [Required]
    [StringLength(64, MinimumLength = 1)]
    public string? Label { get; set; }
}

/// <summary>The signed-in administrator's own password, typed again before a new webhook key is made.</summary>
public sealed class WebhookKeyRequest
{
    [Required]
    [StringLength(128, MinimumLength = 1)]
    public string? Password { get; set; }
}

/// <summary>A new webhook signing key, shown once (a named type: Native AOT's request delegate generator cannot serve a lambda's anonymous type).</summary>
public sealed record WebhookKey(string Key);
