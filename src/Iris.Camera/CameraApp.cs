using System.Text.Json.Serialization;
using Iris.Camera.Accounts;
using Iris.Camera.Events;
using Iris.Camera.Hosting;
using Iris.Camera.Identity;
using Iris.Camera.Media;
using Iris.Camera.Platform;
using Iris.Camera.Privacy;
using Iris.Camera.Reset;
using Iris.Camera.Storage;
using Iris.Camera.Telemetry;
using Iris.Camera.Updates;
using Iris.Camera.Vault;
using Iris.Camera.Web;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Iris.Camera;

/// <summary>
/// Builds the camera daemon: validated settings, data directory, vault, identity, database, then the HTTPS-only
/// Kestrel pipeline. Everything that can stop the daemon is checked here, before a socket is opened.
/// </summary>
public static class CameraApp
{
    public static WebApplication Build(IReadOnlyList<string> args, Action<WebApplicationBuilder>? configure = null)
    {
        var overrides = CommandLine.Parse(args) ?? throw new StartupException(CommandLine.Usage, 0);
        // Settings files ship next to the binary; the working directory only resolves a relative --data-dir.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(overrides);
        configure?.Invoke(builder);

        var https = Bind<HttpsOptions>(builder.Configuration, HttpsOptions.SectionName);
        var storage = Bind<StorageOptions>(builder.Configuration, StorageOptions.SectionName);
        var device = Bind<DeviceOptions>(builder.Configuration, DeviceOptions.SectionName);
        var accounts = Bind<AccountsOptions>(builder.Configuration, AccountsOptions.SectionName);
        var media = Bind<MediaOptions>(builder.Configuration, MediaOptions.SectionName);
        var updates = Bind<UpdateOptions>(builder.Configuration, UpdateOptions.SectionName);
        var boot = Bind<BootOptions>(builder.Configuration, BootOptions.SectionName);
        var vaultOptions = Bind<VaultOptions>(builder.Configuration, VaultOptions.SectionName);
        var privacy = Bind<PrivacyOptions>(builder.Configuration, PrivacyOptions.SectionName);
        var telemetry = Bind<TelemetryOptions>(builder.Configuration, TelemetryOptions.SectionName);
        var reset = Bind<ResetOptions>(builder.Configuration, ResetOptions.SectionName);
        var errors = CameraOptionsValidator.Validate(https, storage, device).Concat(accounts.Validate()).Concat(media.Validate()).Concat(updates.Validate())
            .Concat(vaultOptions.Validate()).Concat(privacy.Validate()).Concat(telemetry.Validate()).Concat(reset.Validate()).ToList();
        if (errors.Count > 0)
        {
            throw new StartupException("Invalid settings:\n  " + string.Join("\n  ", errors), StartupException.ConfigurationError);
        }

        var services = builder.Services;
        services.AddSingleton(https);
        services.AddSingleton(storage);
        services.AddSingleton(device);
        services.AddSingleton(boot);
        services.AddSingleton(new SoftwareInfo(boot));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp =>
        {
            // A factory reset requested before the restart is carried out before anything opens the data.
            var data = DataDirectory.Open(storage.DataDirectory);
            FactoryReset.CompletePending(data, vaultOptions, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Iris.Camera.Reset"));
            return data;
        });
        services.AddSingleton(vaultOptions);
        services.AddSingleton(sp => StorageKeys.Open(vaultOptions, sp.GetRequiredService<DataDirectory>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger("Iris.Camera.Vault")));
        services.AddSingleton<IStorageKeyProvider>(sp => new NonOwningProvider(sp.GetRequiredService<OpenedVault>().Provider));
        services.AddSingleton(sp => sp.GetRequiredService<OpenedVault>().Vault);
        services.AddSingleton(sp => new IdentityStore(
            sp.GetRequiredService<DataDirectory>().IdentityDirectory,
            sp.GetRequiredService<SecretVault>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Iris.Camera.Identity")));
        services.AddSingleton(sp => sp.GetRequiredService<IdentityStore>().LoadOrCreateDevelopment(device.Model, device.Vendor));
        services.AddSingleton(sp => CameraDatabase.Open(sp.GetRequiredService<DataDirectory>().DatabaseFile));
        AddAccounts(services, accounts);
        services.AddMedia(media);
        services.AddSingleton(updates);
        services.AddSingleton<UpdateKeyStore>();
        services.TryAddSingleton<IRestartRequester, LauncherRestart>();
        services.AddSingleton<UpdateAgent>();
        services.AddHostedService(sp => sp.GetRequiredService<UpdateAgent>());
        services.AddHostedService<BootHealth>();
        services.AddSingleton(privacy);
        services.AddSingleton<PersonalDataService>();
        services.AddHostedService(sp => sp.GetRequiredService<PersonalDataService>());
        services.AddTelemetry(telemetry);
        services.AddSingleton(reset);
        services.AddSingleton<FactoryResetService>();
        if (reset.ButtonValueFile is { Length: > 0 } buttonFile)
        {
            services.TryAddSingleton<ILineInput>(new ValueFileLineInput(buttonFile, reset.ActiveLow));
            services.AddHostedService<ResetButtonWatcher>();
        }

        services.AddIrisProblemDetails();
        services.ConfigureHttpJsonOptions(options =>
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase)));
        services.AddRouting();

        builder.WebHost.UseKestrel((context, kestrel) => ConfigureKestrel(kestrel, https));

        var app = builder.Build();
        InitializeState(app.Services);

        app.UseIrisExceptionHandler();
        app.UseSecurityHeaders();
        app.UseStatusCodePages();
        app.UseDefaultFiles();
        app.UseStaticFiles(new StaticFileOptions
        {
            // Revalidate on every load, so a software update shows its own UI at once.
            OnPrepareResponse = file => file.Context.Response.Headers.CacheControl = "no-cache",
        });
        app.UseRouting();
        app.UseInputGuard();
        app.UseAccessControl();
        app.MapDeviceEndpoints();
        app.MapAuthEndpoints();
        app.MapUserEndpoints();
        app.MapSecurityEndpoints();
        app.MapMediaEndpoints();
        app.MapRecordingEndpoints();
        app.MapUpdateEndpoints();
        app.MapPrivacyEndpoints();
        app.MapTelemetryEndpoints();
        app.MapResetEndpoints();
        return app;
    }

    private static void AddAccounts(IServiceCollection services, AccountsOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton(new PasswordHasher(options.PasswordIterations));
        services.TryAddSingleton<IDefaultPasswordDisplay, ConsoleDefaultPasswordDisplay>();
        services.AddSingleton<AccountStore>();
        services.AddSingleton<SessionStore>();
        services.AddSingleton<KnownSources>();
        services.AddSingleton<LoginNonces>();
        services.AddSingleton<LoginThrottle>();
        services.AddSingleton<LoginService>();
        services.AddSingleton<OwnerBootstrap>();
        services.AddSingleton<SecurityEventLog>();
        services.AddSingleton<AlertCenter>();
        services.AddSingleton<ThrottledAttemptRecorder>();
    }

    private static void ConfigureKestrel(KestrelServerOptions kestrel, HttpsOptions https)
    {
        kestrel.AddServerHeader = false;
        kestrel.Limits.MaxRequestBodySize = https.MaxRequestBodyBytes;
        kestrel.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
        kestrel.Limits.MaxRequestHeaderCount = 64;
        kestrel.Limits.MaxRequestLineSize = 8 * 1024;
        kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(15);
        kestrel.Limits.MaxConcurrentConnections = 512;
        kestrel.Limits.Http2.MaxStreamsPerConnection = 64;

        var identity = kestrel.ApplicationServices.GetRequiredService<DeviceIdentity>();
        var tls = TlsPolicy.CreateServerOptions(identity.Certificate, LaunchEnvironment.IsOpenSslProfileApplied);
        kestrel.Listen(https.ParseListen(), listen =>
        {
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            listen.UseHttps(new TlsHandshakeCallbackOptions
            {
                OnConnection = _ => ValueTask.FromResult(tls()),
                HandshakeTimeout = TimeSpan.FromSeconds(10),
            });
        });
    }

    /// <summary>Opens everything stateful now, so a bad data directory stops the daemon before it listens.</summary>
    private static void InitializeState(IServiceProvider services)
    {
        var identity = services.GetRequiredService<DeviceIdentity>();
        var database = services.GetRequiredService<CameraDatabase>();
        database.RecordBoot(
            services.GetRequiredService<TimeProvider>().GetUtcNow(),
            services.GetRequiredService<SoftwareInfo>().Version,
            identity.Origin.ToString().ToLowerInvariant());
        services.GetRequiredService<OwnerBootstrap>().EnsureOwner();
        services.InitializeMedia();
        services.GetRequiredService<UpdateAgent>().Initialise();

        // Counts of throttled attempts not yet written go into the event log when the daemon stops.
        var time = services.GetRequiredService<TimeProvider>();
        services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() =>
            services.GetRequiredService<ThrottledAttemptRecorder>().Flush(time.GetUtcNow(), force: true));
    }

    private static T Bind<T>(ConfigurationManager configuration, string section)
        where T : new()
    {
        try
        {
            return configuration.GetSection(section).Get<T>(o => o.ErrorOnUnknownConfiguration = true) ?? new T();
        }
        catch (InvalidOperationException ex)
        {
            throw new StartupException($"Invalid settings in '{section}': {ex.Message}", ex, StartupException.ConfigurationError);
        }
    }
}
