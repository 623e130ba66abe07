using Iris.Camera.Identity;
using Iris.Camera.Platform;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Iris.Camera.Web;

/// <summary>The HTTPS-only Kestrel listener with the device certificate, problem details, and JSON conventions.</summary>
internal sealed class WebModule : CameraModule
{
    public override void AddServices(ModuleServices module)
    {
        var https = module.Settings<HttpsOptions>(HttpsOptions.SectionName);
        var services = module.Services;
        services.AddSingleton<IDeclaresServices, HttpsServices>();
        services.AddSingleton<ServiceManifest>();
        services.AddSingleton<ConnectionGate>();
        services.AddSingleton<ClientFaultLog>();
        services.AddSingleton<KestrelRejections>();
        services.AddIrisProblemDetails();
        services.ConfigureHttpJsonOptions(options =>
            options.SerializerOptions.Converters.Add(EnumNames.CamelCase()));
        services.AddRouting();
        services.Configure<KestrelServerOptions>(kestrel => ConfigureKestrel(kestrel, https));
    }

    private static void ConfigureKestrel(KestrelServerOptions kestrel, HttpsOptions https)
    {
        kestrel.AddServerHeader = false;
        kestrel.Limits.MaxRequestBodySize = https.MaxRequestBodyBytes;
        kestrel.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
        kestrel.Limits.MaxRequestHeaderCount = 64;
        kestrel.Limits.MaxRequestLineSize = 8 * 1024;
        kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(15);
        kestrel.Limits.KeepAliveTimeout = https.KeepAliveTimeout;
        // Admission is the connection gate's job (per source, with slots kept for the owner); this is only a backstop.
        kestrel.Limits.MaxConcurrentConnections = https.MaxConnections + 1;
        kestrel.Limits.Http2.MaxStreamsPerConnection = 64;

        // The gate and the certificate are looked up at the first connection: the server is created while the app
        // is built, before the modules have recovered and opened their state (a pending factory reset replaces the
        // vault and the database).
        var services = kestrel.ApplicationServices;
        var gate = new Lazy<ConnectionGate>(services.GetRequiredService<ConnectionGate>);
        var rejections = new Lazy<KestrelRejections>(() =>
            services.GetRequiredService<KestrelRejections>().Subscribe(services.GetRequiredService<System.Diagnostics.DiagnosticListener>()));
        var tls = new Lazy<Func<System.Net.Security.SslServerAuthenticationOptions>>(() =>
            TlsPolicy.CreateServerOptions(services.GetRequiredService<DeviceIdentity>().Certificate, LaunchEnvironment.IsOpenSslProfileApplied,
                services.GetRequiredService<DeviceIdentity>().Chain));
        kestrel.Listen(https.ParseListen(), listen =>
        {
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            listen.Use(next =>
            {
                ConnectionDelegate? admitted = null;
                return connection => (admitted ??= gate.Value.Middleware(next))(connection);
            });
            listen.UseHttps(new TlsHandshakeCallbackOptions
            {
                OnConnection = _ => ValueTask.FromResult(tls.Value()),
                HandshakeTimeout = https.HandshakeTimeout,
            });
            // After TLS: Kestrel's own answers to requests it cannot parse get the device's headers and body.
            listen.Use(next =>
            {
                ConnectionDelegate? answered = null;
                return connection => (answered ??= rejections.Value.Middleware(next))(connection);
            });
        });
    }
}
