using Iris.Camera.Accounts;
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
        updates.MapGet("/", (UpdateStatusStore status) => TypedResults.Ok(status.Snapshot())).WithName("GetUpdateStatus").RequirePermission(Privilege.ManageUpdates, "Installed version, slot, last check, available update, progress, last install, rollback, support end.");
        updates.MapPost("/check", async (UpdateScheduler scheduler, CancellationToken cancellationToken) =>
            TypedResults.Ok(await scheduler.CheckNowAsync(cancellationToken))).WithName("CheckForUpdates").RequirePermission(Privilege.ManageUpdates, "Check the vendor repository now.");
        updates.MapPost("/install", Install).WithName("InstallUpdate").RequirePermission(Privilege.ManageUpdates, "Install the available update into the inactive slot and restart into it.");
        updates.MapPut("/settings", SetModeAsync).WithName("SetUpdateSettings").RequirePermission(Privilege.ManageUpdates, "Choose automatic or manual installation.").Accepts<UpdateSettings>(JsonBody.MediaType);
        return routes;
    }

    private static IResult Install(HttpContext http, UpdateScheduler scheduler)
    {
        var (result, status) = scheduler.StartInstall(http.CurrentSession()!.Username, http.ClientSource());
        return result switch
        {
            InstallStart.Started => TypedResults.Accepted("/api/updates", status),
            InstallStart.NotSlotted => Problems.Create(StatusCodes.Status409Conflict, "not-slotted",
                "This daemon was not started by Iris.Boot, so it has no inactive slot to install into."),
            InstallStart.NothingAvailable => Problems.Create(StatusCodes.Status409Conflict, "no-update", "No update is available; check for updates first."),
            _ => Problems.Create(StatusCodes.Status409Conflict, "update-busy", "An install is already running."),
        };
    }

    private static async Task<IResult> SetModeAsync(HttpContext http, UpdateScheduler scheduler, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<UpdateSettings>(http.Request, cancellationToken);
        if (!body.Succeeded)
        {
            return body.Problem!;
        }

        return TypedResults.Ok(scheduler.SetMode(body.Value!.Mode!.Value, http.CurrentSession()!.Username, http.ClientSource()));
    }
}
