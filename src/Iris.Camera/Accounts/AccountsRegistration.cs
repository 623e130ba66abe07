using Iris.Camera.Storage;
using Iris.Camera.Web;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Iris.Camera.Accounts;

/// <summary>The Accounts module's services.</summary>
internal static class AccountsRegistration
{
    public static IServiceCollection AddAccounts(this IServiceCollection services, AccountsOptions options)
    {
        services.AddSingleton(new PasswordHasher(options.PasswordIterations));
        services.TryAddSingleton<IOperatorTerminal, ConsoleTerminal>();
        services.TryAddSingleton<IDefaultPasswordDisplay, DefaultPasswordDisplay>();
        services.AddSingleton<AccountCipher>();
        services.AddSingleton<AccountsEncryption>();
        services.AddSingleton<AccountStore>();
        services.AddSingleton<SessionStore>();
        services.AddSingleton<KnownSources>();
        services.AddSingleton<LoginRefusals>();
        services.AddSingleton<LoginNonces>();
        services.AddSingleton<LoginThrottle>();
        services.AddSingleton<UnfamiliarSourceGate>();
        services.AddSingleton<UnfamiliarSourceHashing>();
        services.AddSingleton<LoginService>();
        services.AddSingleton<OwnerBootstrap>();
        // The vendor's name is one of the terms a new password must not be built on.
        services.AddSingleton(sp => new NewPasswordRules(
            sp.GetRequiredService<Identity.DeviceIdentity>(), sp.GetRequiredService<OwnerBootstrap>(), sp.GetRequiredService<Identity.DeviceOptions>().Vendor));
        services.AddSingleton<StepUpAuthentication>();
        services.AddSingleton<OwnPasswordChange>();
        services.AddSingleton<ThrottledAttemptRecorder>();
        services.AddSingleton<LoginAlerts>();
        services.AddSingleton<PermissionTable>();
        services.AddSingleton<IKnownSourceDirectory>(sp => sp.GetRequiredService<KnownSources>());
        services.AddSingleton<IStoredData, AccountsData>();
        services.AddHostedService<RefusalFlush>();
        services.AddHostedService<SessionPurge>();
        return services;
    }

    /// <summary>Counts of refused sign-in steps not yet written go into the event log when the daemon stops.</summary>
    private sealed class RefusalFlush(LoginRefusals refusals) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken)
        {
            refusals.Flush();
            return Task.CompletedTask;
        }
    }
}
