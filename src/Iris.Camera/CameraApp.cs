using Iris.Camera.Accounts;
using Iris.Camera.Debug;
using Iris.Camera.Events;
using Iris.Camera.Hosting;
using Iris.Camera.Identity;
using Iris.Camera.Link;
using Iris.Camera.Media;
using Iris.Camera.Platform;
using Iris.Camera.Privacy;
using Iris.Camera.Reset;
using Iris.Camera.Rtsp;
using Iris.Camera.Storage;
using Iris.Camera.Telemetry;
using Iris.Camera.Updates;
using Iris.Camera.Vault;
using Iris.Camera.Web;

namespace Iris.Camera;

/// <summary>
/// Builds the camera daemon from its modules, in dependency order (docs/architecture.md): validated settings,
/// then every module's state opened, then the HTTPS-only pipeline. Everything that can stop the daemon is checked
/// here, before a socket is opened.
/// </summary>
public static class CameraApp
{
    /// <summary>The capabilities, foundation first. A module may use only the modules before it.</summary>
    internal static IReadOnlyList<CameraModule> Modules { get; } =
    [
        new PlatformModule(),
        new StorageModule(),
        new VaultModule(),
        new IdentityModule(),
        new WebModule(),
        new EventsModule(),
        new AccountsModule(),
        new MediaModule(),
        new UpdatesModule(),
        new TelemetryModule(),
        new PrivacyModule(),
        new ResetModule(),
        new DebugModule(),
        new LinkModule(),
        new RtspModule(),
        new HostingModule(),
    ];

    public static WebApplication Build(IReadOnlyList<string> args, Action<WebApplicationBuilder>? configure = null)
    {
        var overrides = CommandLine.Parse(args) ?? throw new StartupException(CommandLine.Usage, 0);
        // Settings files ship next to the binary; the working directory only resolves a relative --data-dir.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(overrides);
        configure?.Invoke(builder);

        var registration = new ModuleServices(builder.Services, builder.Configuration);
        foreach (var module in Modules)
        {
            module.AddServices(registration);
        }

        if (registration.Problems.Count > 0)
        {
            throw new StartupException("Invalid settings:\n  " + string.Join("\n  ", registration.Problems), StartupException.ConfigurationError);
        }

        var app = builder.Build();
        foreach (var module in Modules)
        {
            module.Recover(app.Services);
        }

        foreach (var module in Modules)
        {
            module.Open(app.Services);
        }

        // Outermost first: headers on every answer, no body on HEAD, then the boundary no exception passes.
        app.UseSecurityHeaders();
        app.UseHeadWithoutBody();
        app.UseErrorBoundary();
        app.UseStatusCodePages();
        app.UseDefaultFiles();
        app.UseStaticFiles(new StaticFileOptions
        {
            // Revalidate on every load, so a software update shows its own UI at once.
            OnPrepareResponse = file => file.Context.Response.Headers.CacheControl = "no-cache",
        });
        app.UseRouting();
        app.UseMethodRejection();
        app.UseInputGuard();
        app.UseAccessControl();
        foreach (var module in Modules)
        {
            module.MapEndpoints(app);
        }

        return app;
    }

    /// <summary>Every module's schema steps, for tools that open the database without the daemon (tests, crash writer).</summary>
    internal static IReadOnlyList<SchemaMigration> Schema()
    {
        var services = new ServiceCollection();
        var registration = new ModuleServices(services, new ConfigurationBuilder().Build());
        foreach (var module in Modules)
        {
            module.AddServices(registration);
        }

        return [.. services.Where(s => s.ServiceType == typeof(SchemaMigration)).Select(s => (SchemaMigration)s.ImplementationInstance!)];
    }
}
