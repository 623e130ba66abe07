using Iris.Camera.Events;
using Iris.Camera.Web;

namespace Iris.Camera.Rtsp;

/// <summary>Whether RTSPS is on, and where.</summary>
public sealed record RtspState(bool Enabled, bool Listening, int? Port, string Path);

public sealed class RtspRequestBody
{
    [System.ComponentModel.DataAnnotations.Required]
    public bool? Enabled { get; set; }
}

/// <summary>The RTSPS switch: administrators only (ManageSettings); each change is in the security log.</summary>
internal static class RtspEndpoints
{
    public static IEndpointRouteBuilder MapRtspEndpoints(this IEndpointRouteBuilder routes)
    {
        var rtsp = routes.MapGroup("/api/rtsp");
        rtsp.MapGet("/", (RtspServer server) => TypedResults.Ok(State(server))).WithName("GetRtsps")
            .RequirePermission(Privilege.ManageSettings, "Whether RTSPS (live video for recorders) is on, and its port.");
        rtsp.MapPut("/", SetAsync).WithName("SetRtsps")
            .RequirePermission(Privilege.ManageSettings, "Turn RTSPS (live video for recorders, over TLS) on or off.").Accepts<RtspRequestBody>(JsonBody.MediaType);
        return routes;
    }

    private static async Task<IResult> SetAsync(HttpContext http, RtspServer server, SecurityEventLog events, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<RtspRequestBody>(http.Request, cancellationToken);
        if (!body.Succeeded)
        {
            return body.Problem!;
        }

        var enabled = body.Value!.Enabled!.Value;
        if (server.Switch(enabled) == RtspSwitchResult.PortUnavailable)
        {
            return Problems.Create(StatusCodes.Status409Conflict, "rtsps-port-unavailable", "The RTSPS port could not be opened.",
                "Another program uses it, or the camera may not open it. Check the Iris:Rtsp:Listen setting.");
        }

        events.Append(SecurityEventKinds.SettingsChanged, http.ClientSource(), http.Actor().Username, $"RTSPS {(enabled ? "on" : "off")}");
        return TypedResults.Ok(State(server));
    }

    private static RtspState State(RtspServer server) =>
        new(server.IsTurnedOn, server.IsListening, server.LocalEndpoint?.Port, "/live");
}
