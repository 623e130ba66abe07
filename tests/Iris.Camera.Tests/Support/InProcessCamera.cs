using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Iris.Camera.Tests.Support;

/// <summary>
/// The real daemon pipeline (CameraApp, Kestrel, TLS, identity, vault, database) in the test process, on a free
/// loopback port, with a client pinned to its device certificate. No test host, no bypass.
/// </summary>
public sealed class InProcessCamera : IAsyncDisposable
{
    private readonly TempDirectory? _ownedDirectory;

    private InProcessCamera(WebApplication app, string dataDirectory, TempDirectory? owned)
    {
        App = app;
        DataDirectory = dataDirectory;
        _ownedDirectory = owned;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        BaseAddress = new Uri(address);
        Certificate = PinnedHttpClient.ReadDeviceCertificate(dataDirectory);
        Client = PinnedHttpClient.Create(BaseAddress, Certificate);
    }

    public WebApplication App { get; }

    public string DataDirectory { get; }

    public Uri BaseAddress { get; }

    public X509Certificate2 Certificate { get; }

    public HttpClient Client { get; }

    public static async Task<InProcessCamera> StartAsync(string? dataDirectory = null, Action<WebApplicationBuilder>? configure = null)
    {
        var owned = dataDirectory is null ? new TempDirectory() : null;
        var directory = dataDirectory ?? owned!.Path;
        var app = CameraApp.Build(["--listen", "127.0.0.1:0", "--data-dir", directory], builder =>
        {
            builder.Logging.ClearProviders();
            configure?.Invoke(builder);
        });
        await app.StartAsync();
        return new InProcessCamera(app, directory, owned);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Certificate.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        _ownedDirectory?.Dispose();
    }
}
