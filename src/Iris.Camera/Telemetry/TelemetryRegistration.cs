namespace Iris.Camera.Telemetry;

/// <summary>The Telemetry module's services. It needs <see cref="Media.IMediaStatus"/> from the Media module.</summary>
internal static class TelemetryRegistration
{
    public static IServiceCollection AddTelemetry(this IServiceCollection services, TelemetryOptions options)
    {
        services.AddSingleton<TelemetryConsentStore>();
        services.AddSingleton<Accounts.IAccountDataHolder>(sp => sp.GetRequiredService<TelemetryConsentStore>());
        services.AddSingleton<TelemetrySentHistory>();
        services.AddSingleton<TelemetryCounters>();
        services.AddSingleton<TelemetrySender>();
        services.AddHostedService(sp => sp.GetRequiredService<TelemetrySender>());
        services.AddSingleton<TelemetryService>();
        return services;
    }
}
