using Iris.Camera.Platform;

namespace Iris.Camera.Debug;

/// <summary>The vendor-unlocked debug console (5.5.1.1): closed by default and at every start.</summary>
internal sealed class DebugModule : CameraModule
{
    public override void AddServices(ModuleServices module)
    {
        module.Settings<DebugOptions>(DebugOptions.SectionName);
        module.Services.AddSingleton<DebugConsole>();
    }

    /// <summary>Made at start, so a flag file left by a crash is removed before anything serves.</summary>
    public override void Open(IServiceProvider services) => _ = services.GetRequiredService<DebugConsole>();

    public override void MapEndpoints(IEndpointRouteBuilder routes) => routes.MapDebugEndpoints();
}
