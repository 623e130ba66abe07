using Iris.Camera.Events;
using Iris.Camera.Platform;
using Iris.Camera.Storage;
using Iris.Camera.Web;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Iris.Camera.Accounts;

/// <summary>Accounts and roles, sign-in with throttling, sessions, the permission table and its enforcement.</summary>
internal sealed class AccountsModule : CameraModule
{
    public override void AddServices(ModuleServices module)
    {
        var options = module.Settings<AccountsOptions>(AccountsOptions.SectionName, o => o.Validate());
        var services = module.Services;
        services.AddSchema(AccountsSchema.Migrations);
        services.AddSingleton(new PasswordHasher(options.PasswordIterations));
        services.TryAddSingleton<IDefaultPasswordDisplay, ConsoleDefaultPasswordDisplay>();
        services.AddSingleton<AccountStore>();
        services.AddSingleton<SessionStore>();
        services.AddSingleton<KnownSources>();
        services.AddSingleton<LoginNonces>();
        services.AddSingleton<LoginThrottle>();
        services.AddSingleton<LoginService>();
        services.AddSingleton<OwnerBootstrap>();
        services.AddSingleton<ThrottledAttemptRecorder>();
        services.AddSingleton<LoginAlerts>();
        services.AddSingleton<PermissionTable>();
        services.AddSingleton<IKnownSourceDirectory, KnownSourceDirectory>();
        services.AddSingleton<IStoredData, AccountsData>();
    }

    public override void Open(IServiceProvider services)
    {
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
