using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Iris.Relay;

/// <summary>
/// Composes the relay: Kestrel with TLS 1.2/1.3 (ECDHE, AES-GCM) only, client certificates asked for but not
/// required at the handshake (a browser viewer has none; a camera's must chain to the device CA or the handshake
/// fails), WebSockets, and the endpoints. Settings come from <c>Iris:Relay</c> (files, environment IRIS__RELAY__*,
/// command line); invalid settings stop the start with every problem listed.
/// </summary>
public static class RelayApp
{
    private static readonly TlsCipherSuite[] Suites =
    [
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    ];

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        configure?.Invoke(builder);
        var options = builder.Configuration.GetSection(RelayOptions.SectionName).Get<RelayOptions>() ?? new RelayOptions();
        var problems = options.Validate().ToList();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("Relay settings are invalid:\n" + string.Join("\n", problems));
        }

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<RelaySessions>();
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton(sp => DeviceCertificates.Load(options.DeviceCaFile!, sp.GetRequiredService<TimeProvider>()));
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            kestrel.AddServerHeader = false;
            var devices = kestrel.ApplicationServices.GetRequiredService<DeviceCertificates>();
            var certificate = X509Certificate2.CreateFromPemFile(options.CertificateFile!, options.KeyFile);
            kestrel.Listen(IPEndPoint.Parse(options.Listen), listen =>
            {
                // WebSockets over HTTP/1.1; HTTP/2 would need client certificates without renegotiation anyway.
                listen.Protocols = HttpProtocols.Http1;
                listen.UseHttps(https =>
                {
                    https.ServerCertificate = certificate;
                    https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
                    https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                    https.CheckCertificateRevocation = false;
                    // The chain is built against the device CA only (never the system store), so the framework's own verdict is not used.
                    https.ClientCertificateValidation = (presented, _, _) => devices.IsValid(presented);
                    https.OnAuthenticate = (_, ssl) => ssl.CipherSuitesPolicy = new CipherSuitesPolicy(Suites);
                });
            });
        });

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(15) });
        app.MapRelay();
        return app;
    }
}
