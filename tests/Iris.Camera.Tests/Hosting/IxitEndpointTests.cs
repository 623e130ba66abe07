using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Iris.Camera.Tests.Support;
using Iris.Camera.Web;

namespace Iris.Camera.Tests.Hosting;

/// <summary>
/// The IXIT a test lab checks the camera against (issue 17, point 2) is built from the same sources as the
/// generated documents: its services are the manifest's listeners, its roles the permission table's, and its
/// trust anchor the certificate the camera presents.
/// </summary>
public sealed class IxitEndpointTests
{
    [Fact]
    public async Task Ixit_DeclaresTheManifestsListeners_ThePermissionRoles_AndThePresentedCertificate()
    {
        await using var camera = await InProcessCamera.StartAsync();

        var ixit = await camera.Client.GetFromJsonAsync<JsonElement>(new Uri("/api/device/ixit", UriKind.Relative));
        var manifest = await camera.Client.GetFromJsonAsync<ServiceManifestDocument>(new Uri("/api/device/services", UriKind.Relative));
        var permissions = await camera.Client.GetFromJsonAsync<JsonElement>(new Uri("/api/device/permissions", UriKind.Relative));

        var service = Assert.Single(ixit.GetProperty("services").EnumerateArray());
        var listener = Assert.Single(manifest!.Listeners);
        Assert.Equal(listener.Endpoint, $"{camera.BaseAddress.Host}:{service.GetProperty("port").GetInt32()}");
        Assert.Equal("tcp", service.GetProperty("transport").GetString());
        Assert.Equal(
            permissions.GetProperty("roles").EnumerateObject().Select(r => r.Name).Order(),
            ixit.GetProperty("roles").EnumerateArray().Select(r => r.GetProperty("name").GetString()).Order());
        using var anchor = X509Certificate2.CreateFromPem(ixit.GetProperty("tlsTrustAnchorPem").GetString());
        Assert.Equal(camera.Certificate.RawData, anchor.RawData);
        Assert.Equal("/api/auth/login", ixit.GetProperty("login").GetProperty("path").GetString());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", ixit.GetProperty("supportEnd").GetString());
    }

    [Fact]
    public async Task Ixit_DeclaresEveryEndpointOfThePermissionTable_WithTheBodyItsHandlerBinds()
    {
        await using var camera = await InProcessCamera.StartAsync();

        var ixit = await camera.Client.GetFromJsonAsync<JsonElement>(new Uri("/api/device/ixit", UriKind.Relative));
        var permissions = await camera.Client.GetFromJsonAsync<JsonElement>(new Uri("/api/device/permissions", UriKind.Relative));

        var declared = ixit.GetProperty("endpoints").EnumerateArray().ToList();
        Assert.Equal(
            permissions.GetProperty("endpoints").EnumerateArray().Select(e => $"{e.GetProperty("method").GetString()} {e.GetProperty("route").GetString()}").Order(StringComparer.Ordinal),
            declared.Select(e => $"{e.GetProperty("method").GetString()} {e.GetProperty("path").GetString()}").Order(StringComparer.Ordinal));
        var login = declared.Single(e => e.GetProperty("path").GetString() == "/api/auth/login");
        Assert.Equal("json", login.GetProperty("body").GetString());
        Assert.Equal("anyone", login.GetProperty("access").GetString());
        var device = declared.Single(e => e.GetProperty("path").GetString() == "/api/device" && e.GetProperty("method").GetString() == "GET");
        Assert.Equal("none", device.GetProperty("body").GetString());
    }
}
