using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using System.Net.Http.Json;
using Iris.Camera.Accounts;
using Microsoft.Extensions.Configuration;

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

    /// <summary>The default password shown on this camera's first start (captured instead of printed).</summary>
    public string? DefaultPassword => App.Services.GetRequiredService<CapturedDefaultPassword>().Password;

    public static async Task<InProcessCamera> StartAsync(
        string? dataDirectory = null, Action<WebApplicationBuilder>? configure = null, TimeProvider? time = null, Action<WebApplication>? beforeStart = null)
    {
        var owned = dataDirectory is null ? new TempDirectory() : null;
        var directory = dataDirectory ?? owned!.Path;
        var app = Build(["--listen", "127.0.0.1:0", "--data-dir", directory], configure, time);
        beforeStart?.Invoke(app);
        await app.StartAsync();
        return new InProcessCamera(app, directory, owned);
    }

    /// <summary>
    /// The daemon as composed with its default settings (listen address included), built but not started: what
    /// the generated documents describe.
    /// </summary>
    public static WebApplication BuildWithDefaults(string dataDirectory) => Build(["--data-dir", dataDirectory], null, null);

    private static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure, TimeProvider? time)
    {
        var captured = new CapturedDefaultPassword();
        return CameraApp.Build(args, builder =>
        {
            builder.Logging.ClearProviders();
            // Tests hash with few iterations; the cost itself is benchmarked, not tested.
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Iris:Accounts:PasswordIterations"] = "1000" });
            builder.Services.AddSingleton(captured);
            builder.Services.AddSingleton<IDefaultPasswordDisplay>(captured);
            if (time is not null)
            {
                builder.Services.AddSingleton(time);
            }

            configure?.Invoke(builder);
        });
    }

    /// <summary>Signs in (nonce, then login) and returns a client carrying the session cookie and CSRF header.</summary>
    public async Task<SignedInClient> SignInAsync(string username, string password)
    {
        var login = await TrySignInAsync(username, password);
        Assert.True(login.Response.IsSuccessStatusCode, $"sign-in failed: {(int)login.Response.StatusCode} {await login.Response.Content.ReadAsStringAsync()}");
        return login.Client!;
    }

    public Task<(HttpResponseMessage Response, SignedInClient? Client)> TrySignInAsync(string username, string password) =>
        CameraSessions.TrySignInAsync(BaseAddress, Certificate, username, password);

    public async Task<string> NewNonceAsync()
    {
        using var response = await Client.PostAsync(new Uri("/api/auth/nonce", UriKind.Relative), null);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("nonce").GetString()!;
    }

    /// <summary>Claims the device: signs in with the default password and sets <paramref name="newPassword"/>.</summary>
    public async Task<SignedInClient> ClaimAsync(string newPassword = OwnerPassword)
    {
        using var restricted = await SignInAsync("admin", DefaultPassword!);
        using var change = await restricted.Http.PostAsJsonAsync(new Uri("/api/auth/password", UriKind.Relative), new { currentPassword = DefaultPassword, newPassword });
        Assert.True(change.IsSuccessStatusCode, await change.Content.ReadAsStringAsync());
        return await SignInAsync("admin", newPassword);
    }

    public const string OwnerPassword = "violet harbour lantern 47";

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Certificate.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        _ownedDirectory?.Dispose();
    }
}
