using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Iris.Camera.Tests.Support;

namespace Iris.Camera.Tests.Hosting;

/// <summary>
/// The About section's SBOM (issue 13, point 3): the file the factory wrote into the release is served as it is,
/// to signed-in users only; a build without one answers a problem, not an empty list.
/// </summary>
public sealed class SbomEndpointTests
{
    private static readonly string Shipped = Path.Combine(AppContext.BaseDirectory, "sbom.cdx.json");

    [Fact]
    public async Task TheShippedSbom_IsServedToSignedInUsers_AndNotToAnyone()
    {
        const string sbom = """{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[{"type":"library","name":"SkiaSharp","version":"3.119.4"}]}""";
        await File.WriteAllTextAsync(Shipped, sbom);
        try
        {
            await using var camera = await InProcessCamera.StartAsync();
            var anonymous = await camera.Client.GetAsync(new Uri("/api/device/sbom", UriKind.Relative));
            using var owner = await camera.ClaimAsync();

            var response = await owner.Http.GetAsync(new Uri("/api/device/sbom", UriKind.Relative));

            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/vnd.cyclonedx+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(sbom, await response.Content.ReadAsStringAsync());
            var summary = await owner.Http.GetFromJsonAsync<JsonElement>(new Uri("/api/device/sbom/components", UriKind.Relative));
            Assert.True(summary.GetProperty("available").GetBoolean());
            var component = Assert.Single(summary.GetProperty("components").EnumerateArray());
            Assert.Equal(("library", "SkiaSharp", "3.119.4"),
                (component.GetProperty("type").GetString(), component.GetProperty("name").GetString(), component.GetProperty("version").GetString()));
        }
        finally
        {
            File.Delete(Shipped);
        }
    }

    /// <summary>The About section lists what the shipped SBOM names, for every signed-in role (in this class: the shipped file is shared).</summary>
    [Fact]
    public async Task TheAboutSection_ListsTheShippedComponents()
    {
        const string sbom = """{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[{"type":"library","name":"SkiaSharp","version":"3.119.4"},{"type":"library","name":"SQLite","version":"3.50.4"}]}""";
        await File.WriteAllTextAsync(Shipped, sbom);
        try
        {
            await using var app = await Ui.OwnerAppBrowser.StartAsync(1280, 800, withRecording: false);
            await app.SignInAsAsync("Viewer");

            var components = app.Page.Locator("#sbom-components li");
            await Microsoft.Playwright.Assertions.Expect(components).ToHaveTextAsync(["SkiaSharp 3.119.4", "SQLite 3.50.4"]);
            await Microsoft.Playwright.Assertions.Expect(app.Page.Locator("#sbom-link")).ToBeVisibleAsync();
            Assert.Empty(app.Errors);
        }
        finally
        {
            File.Delete(Shipped);
        }
    }

    [Fact]
    public async Task ABuildWithoutAnSbom_AnswersAProblem()
    {
        await using var camera = await InProcessCamera.StartAsync();
        using var owner = await camera.ClaimAsync();

        var response = await owner.Http.GetAsync(new Uri("/api/device/sbom", UriKind.Relative));

        await ProblemAssert.IsAsync(response, HttpStatusCode.NotFound, "urn:iris:problem:sbom-missing");
        // The About section asks for the list, which says there is none instead of failing.
        var summary = await owner.Http.GetFromJsonAsync<JsonElement>(new Uri("/api/device/sbom/components", UriKind.Relative));
        Assert.False(summary.GetProperty("available").GetBoolean());
        Assert.Empty(summary.GetProperty("components").EnumerateArray());
    }
}
