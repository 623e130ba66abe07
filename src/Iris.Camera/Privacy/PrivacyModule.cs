using Iris.Camera.Platform;

namespace Iris.Camera.Privacy;

/// <summary>The stored-data inventory and the owner's deletion of personal data, per kind or all.</summary>
internal sealed class PrivacyModule : CameraModule
{
    public override void AddServices(ModuleServices module)
    {
        module.Services.AddSingleton<PersonalDataInventory>();
        module.Services.AddSingleton<PersonalDataService>();
    }

    public override void MapEndpoints(IEndpointRouteBuilder routes) => routes.MapPrivacyEndpoints();
}
