using System.Net;
using System.Net.Http.Json;
using Iris.Camera.Accounts;
using Iris.Camera.Tests.Support;
using Iris.Camera.Tests.Web;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Accounts;

/// <summary>IoT-1005-1 5.1.2.1: behaviour matches the documented permission table for every endpoint and role.</summary>
public sealed class PermissionWalkTests
{
    [Fact]
    public async Task EveryEndpoint_HasATableEntry_AndEveryEntryAnEndpoint()
    {
        await using var camera = await InProcessCamera.StartAsync();
        var mapped = camera.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => (Name: e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName, Method: e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Single(), Route: "/" + e.RoutePattern.RawText!.TrimStart('/').TrimEnd('/')))
            .ToList();

        var table = camera.App.Services.GetRequiredService<PermissionTable>();
        Assert.Empty(table.Undeclared);
        foreach (var endpoint in mapped)
        {
            var entry = table.Entries.SingleOrDefault(e => e.Endpoint == endpoint.Name);
            Assert.True(entry is not null, $"{endpoint.Method} {endpoint.Route} ({endpoint.Name ?? "no name"}) has no permission entry");
            Assert.Equal(entry.Method, endpoint.Method);
            Assert.Equal(entry.Route, endpoint.Route);
        }

        Assert.Equal(table.Entries.Select(e => e.Endpoint).Order(), mapped.Select(m => m.Name!).Order());
    }

    [Fact]
    public async Task EveryEndpoint_BehavesAsTheTableSays_ForEveryRole()
    {
        await using var camera = await InProcessCamera.StartAsync();
        using var admin = await camera.ClaimAsync();
        using (var create = await admin.Http.PostAsJsonAsync(new Uri("/api/users", UriKind.Relative), new { username = "viewer1", role = "viewer", password = "copper kettle morning 62" }))
        {
            Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        }

        using var restrictedViewer = await camera.SignInAsync("viewer1", "copper kettle morning 62");
        using (var change = await restrictedViewer.Http.PostAsJsonAsync(new Uri("/api/auth/password", UriKind.Relative), new { currentPassword = "copper kettle morning 62", newPassword = "silver canyon thistle 08" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, change.StatusCode);
        }

        using var viewer = await camera.SignInAsync("viewer1", "silver canyon thistle 08");
        var callers = new (string Name, HttpClient Client, CameraSession? As)[]
        {
            ("anonymous", camera.Client, null),
            ("viewer", viewer.Http, new CameraSession(0, "viewer1", Role.Viewer, false, [], [])),
            ("administrator", admin.Http, new CameraSession(0, "admin", Role.Administrator, false, [], [])),
        };

        var mismatches = new List<string>();
        var table = camera.App.Services.GetRequiredService<PermissionTable>();
        // Calls that erase the callers' own accounts or the device go last, so every role is still signed in for the rest.
        var destructive = new[] { "DeleteAllPersonalData", "DeletePersonalData", "FactoryReset" };
        foreach (var entry in table.Entries.Where(e => e.Endpoint is not ("Logout" or "ChangeOwnPassword")).OrderBy(e => destructive.Contains(e.Endpoint)))
        {
            foreach (var (name, client, session) in callers)
            {
                using var request = new HttpRequestMessage(new HttpMethod(entry.Method), new Uri(System.Text.RegularExpressions.Regex.Replace(entry.Route.Replace("{username}", "nobody-x", StringComparison.Ordinal), @"\{id(:long)?\}", "999999"), UriKind.Relative));
                // Headers only: the live view never ends by itself.
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                var denied = response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden;
                var expectedAllowed = PermissionTable.Allows(entry, session);
                if (denied == expectedAllowed)
                {
                    mismatches.Add($"{entry.Method} {entry.Route} as {name}: {(int)response.StatusCode}, table says {(expectedAllowed ? "allowed" : "denied")}");
                }
            }
        }

        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    [Fact]
    public async Task DocsPermissions_AndTheApi_MatchTheTable()
    {
        await using var camera = await InProcessCamera.StartAsync();
        var table = camera.App.Services.GetRequiredService<PermissionTable>();
        GoldenDocument.AssertMatches("docs/permissions.md", table.ToMarkdown());

        var served = await camera.Client.GetFromJsonAsync<System.Text.Json.JsonElement>(new Uri("/api/device/permissions", UriKind.Relative));
        Assert.Equal(table.Entries.Count, served.GetProperty("endpoints").GetArrayLength());
        Assert.Equal(table.Entries.Select(e => e.Route), served.GetProperty("endpoints").EnumerateArray().Select(e => e.GetProperty("route").GetString()));
    }

    [Fact]
    public async Task LastAdministrator_CannotBeRemovedDisabledOrDemoted()
    {
        await using var camera = await InProcessCamera.StartAsync();
        using var admin = await camera.ClaimAsync();

        using var delete = await admin.Http.DeleteAsync(new Uri("/api/users/admin", UriKind.Relative));
        using var demote = await admin.Http.PatchAsJsonAsync(new Uri("/api/users/admin", UriKind.Relative), new { role = "viewer" });
        using var disable = await admin.Http.PatchAsJsonAsync(new Uri("/api/users/admin", UriKind.Relative), new { disabled = true });

        Assert.All(new[] { delete, demote, disable }, r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        Assert.Contains("last-administrator", await delete.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
