using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Iris.Camera.Tests.Support;

namespace Iris.Camera.Tests.Accounts;

/// <summary>An anonymous client whose socket is bound to one loopback address (127.0.0.0/8), so the camera sees it as its own source.</summary>
internal sealed class LoopbackSource(Uri baseAddress, X509Certificate2 certificate, IPAddress address) : IDisposable
{
    private readonly HttpClient _http = PinnedHttpClient.Create(baseAddress, certificate, localAddress: address);

    public IPAddress Address { get; } = address;

    public static LoopbackSource At(InProcessCamera camera, string address) => new(camera.BaseAddress, camera.Certificate, IPAddress.Parse(address));

    /// <summary>POST /api/auth/nonce: the nonce, or null with the refusal.</summary>
    public async Task<(string? Nonce, HttpResponseMessage Response)> NonceAsync()
    {
        var response = await _http.PostAsync(new Uri("/api/auth/nonce", UriKind.Relative), null);
        if (!response.IsSuccessStatusCode)
        {
            return (null, response);
        }

        var nonce = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("nonce").GetString();
        response.Dispose();
        return (nonce, response);
    }

    public Task<HttpResponseMessage> LoginAsync(string username, string password, string nonce) =>
        _http.PostAsJsonAsync(new Uri("/api/auth/login", UriKind.Relative), new { username, password, nonce });

    /// <summary>Nonce, then login; the status of whichever answered last.</summary>
    public async Task<HttpStatusCode> SignInAsync(string username, string password)
    {
        var (nonce, refused) = await NonceAsync();
        if (nonce is null)
        {
            using (refused)
            {
                return refused.StatusCode;
            }
        }

        using var login = await LoginAsync(username, password, nonce);
        return login.StatusCode;
    }

    public void Dispose() => _http.Dispose();
}
