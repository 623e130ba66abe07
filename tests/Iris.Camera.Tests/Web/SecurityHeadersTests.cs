using System.Net;
using Iris.Camera.Tests.Support;

namespace Iris.Camera.Tests.Web;

public sealed class SecurityHeadersTests
{
    [Theory]
    [InlineData("/api/device", HttpStatusCode.OK)]
    [InlineData("/api/device/services", HttpStatusCode.OK)]
    [InlineData("/no-such-page", HttpStatusCode.NotFound)]
    [InlineData("/api/device?unexpected=1", HttpStatusCode.BadRequest)]
    public async Task EveryResponse_CarriesTheSecurityHeaders(string path, HttpStatusCode expected)
    {
        await using var camera = await InProcessCamera.StartAsync();

        using var response = await camera.Client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("max-age=31536000", Header(response, "Strict-Transport-Security"));
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
        var csp = Header(response, "Content-Security-Policy");
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("Server"));
    }

    [Fact]
    public async Task ApiResponses_AreNotCached()
    {
        await using var camera = await InProcessCamera.StartAsync();

        using var response = await camera.Client.GetAsync(new Uri("/api/device", UriKind.Relative));

        Assert.True(response.Headers.CacheControl?.NoStore, "API responses must carry Cache-Control: no-store");
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values)
        : response.Content.Headers.TryGetValues(name, out var content) ? string.Join(",", content)
        : throw new Xunit.Sdk.XunitException($"Header {name} is missing");
}
