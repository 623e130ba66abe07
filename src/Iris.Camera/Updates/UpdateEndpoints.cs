using Iris.Camera.Accounts;
using Iris.Camera.Events;
using Iris.Camera.Web;

namespace Iris.Camera.Updates;

public sealed class UpdateSettings
{
    [System.ComponentModel.DataAnnotations.Required]
    public UpdateMode? Mode { get; set; }
}

/// <summary>Update status, check now, install now, and automatic/manual mode. Administrators only (ManageUpdates).</summary>
internal static class UpdateEndpoints
{
    public static IEndpointRouteBuilder MapUpdateEndpoints(this IEndpointRouteBuilder routes)
    {
        var updates = routes.MapGroup("/api/updates");
        updates.MapGet("/", (UpdateAgent agent) => TypedResults.Ok(agent.Status())).WithName("GetUpdateStatus").RequirePermission(Privilege.ManageUpdates, "Installed version, slot, last check, available update, progress, last install, rollback, support end.");
        updates.MapPost("/check", CheckAsync).WithName("CheckForUpdates").RequirePermission(Privilege.ManageUpdates, "Check the vendor repository now.");
        updates.MapPost("/install", Install).WithName("InstallUpdate").RequirePermission(Privilege.ManageUpdates, "Install the available update into the inactive slot and restart into it.");
        updates.MapPut("/settings", SetModeAsync).WithName("SetUpdateSettings").RequirePermission(Privilege.ManageUpdates, "Choose automatic or manual installation.").Accepts<UpdateSettings>(JsonBody.MediaType);
        return routes;
    }

    private static async Task<IResult> CheckAsync(UpdateAgent agent, CancellationToken cancellationToken)
    {
        // A check started by a person shows its result first; installing stays a separate, explicit step.
        await agent.CheckAsync(allowAutomaticInstall: false, cancellationToken);
        return TypedResults.Ok(agent.Status());
    }

    private static IResult Install(HttpContext http, UpdateAgent agent, SecurityEventLog events)
    {
        var status = agent.Status();
        if (!status.Slotted)
        {
            return Problems.Create(StatusCodes.Status409Conflict, "not-slotted", "This daemon was not started by Iris.Boot, so it has no inactive slot to install into.");
        }

        if (status.Available is null)
        {
            return Problems.Create(StatusCodes.Status409Conflict, "no-update", "No update is available; check for updates first.");
        }

        if (!agent.StartInstall())
        {
            return Problems.Create(StatusCodes.Status409Conflict, "update-busy", "A check or an install is already running.");
        }

        events.Append(SecurityEventKinds.SettingsChanged, LoginThrottle.SourceKey(http.Connection.RemoteIpAddress), http.CurrentSession()!.Username,
            $"install of version {status.Available.Version} started");
        return TypedResults.Accepted("/api/updates", agent.Status());
    }

    private static async Task<IResult> SetModeAsync(HttpContext http, UpdateAgent agent, SecurityEventLog events, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<UpdateSettings>(http.Request, cancellationToken);
        if (!body.Succeeded)
        {
            return body.Problem!;
        }

        agent.SetMode(body.Value!.Mode!.Value);
        events.Append(SecurityEventKinds.SettingsChanged, LoginThrottle.SourceKey(http.Connection.RemoteIpAddress), http.CurrentSession()!.Username,
            $"updates {body.Value.Mode}");
        return TypedResults.Ok(agent.Status());
    }
}
