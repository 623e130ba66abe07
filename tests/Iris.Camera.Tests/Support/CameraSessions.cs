using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;

namespace Iris.Camera.Tests.Support;

/// <summary>Sign-in and claim against any running camera (in-process or a child process), by its address and certificate.</summary>
public static class CameraSessions
{
    public static async Task<(HttpResponseMessage Response, SignedInClient? Client)> TrySignInAsync(Uri baseAddress, X509Certificate2 certificate, string username, string password)
    {
        using var anonymous = PinnedHttpClient.Create(baseAddress, certificate);
        using var nonceResponse = await anonymous.PostAsync(new Uri("/api/auth/nonce", UriKind.Relative), null);
        nonceResponse.EnsureSuccessStatusCode();
        var nonce = (await nonceResponse.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("nonce").GetString()!;
        var response = await anonymous.PostAsJsonAsync(new Uri("/api/auth/login", UriKind.Relative), new { username, password, nonce });
        if (!response.IsSuccessStatusCode)
        {
            return (response, null);
        }

        var cookies = response.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).ToList();
        var csrf = cookies.Single(c => c.StartsWith("__Host-iris-csrf=", StringComparison.Ordinal))["__Host-iris-csrf=".Length..];
        var client = PinnedHttpClient.Create(baseAddress, certificate);
        client.DefaultRequestHeaders.Add("Cookie", string.Join("; ", cookies));
        client.DefaultRequestHeaders.Add("X-CSRF-Token", csrf);
        return (response, new SignedInClient(client, string.Join("; ", cookies), csrf));
    }

    public static async Task<SignedInClient> SignInAsync(Uri baseAddress, X509Certificate2 certificate, string username, string password)
    {
        var login = await TrySignInAsync(baseAddress, certificate, username, password);
        Assert.True(login.Response.IsSuccessStatusCode, $"sign-in failed: {(int)login.Response.StatusCode} {await login.Response.Content.ReadAsStringAsync()}");
        return login.Client!;
    }

    /// <summary>Signs in with the default password, sets <paramref name="newPassword"/>, and signs in again.</summary>
    public static async Task<SignedInClient> ClaimAsync(Uri baseAddress, X509Certificate2 certificate, string defaultPassword, string newPassword)
    {
        using var restricted = await SignInAsync(baseAddress, certificate, "admin", defaultPassword);
        using var change = await restricted.Http.PostAsJsonAsync(new Uri("/api/auth/password", UriKind.Relative), new { currentPassword = defaultPassword, newPassword });
        Assert.True(change.IsSuccessStatusCode, await change.Content.ReadAsStringAsync());
        return await SignInAsync(baseAddress, certificate, "admin", newPassword);
    }
}
