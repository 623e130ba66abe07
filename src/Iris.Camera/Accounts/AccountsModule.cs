using Iris.Camera.Platform;
using Iris.Camera.Storage;

namespace Iris.Camera.Accounts;

/// <summary>Accounts and roles, sign-in with throttling, sessions, the permission table and its enforcement.</summary>
internal sealed class AccountsModule : CameraModule
{
    public override void AddServices(ModuleServices module)
    {
        var options = module.Settings<AccountsOptions>(AccountsOptions.SectionName, o => o.Validate());
        module.Services.AddSchema(AccountsSchema.Migrations);
        module.Services.AddAccounts(options);
        module.Services.AddSingleton<IFieldKeyHolder, AccountKeyHolder>();
        module.Services.AddSingleton<IAccountDataHolder, SecurityLogAccountData>();
    }

    public override void Open(IServiceProvider services)
    {
        services.GetRequiredService<AccountsEncryption>().Run();
        services.GetRequiredService<OwnerBootstrap>().EnsureOwner();

        // Counts of throttled attempts not yet written go into the event log when the daemon stops.
        var time = services.GetRequiredService<TimeProvider>();
        services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() =>
            services.GetRequiredService<ThrottledAttemptRecorder>().Flush(time.GetUtcNow(), force: true));
    }

    public override void MapEndpoints(IEndpointRouteBuilder routes)
    {
        routes.MapAuthEndpoints();
        routes.MapUserEndpoints();
    }
}
