using System.Net;
using System.Text;
using System.Text.Json;
using Iris.Camera.Tests.Support;
using Iris.Camera.Web;

namespace Iris.Camera.Tests.Web;

/// <summary>Classes of fault the endpoint fuzzer found, fixed at the HTTP boundary for every endpoint.</summary>
public sealed class FuzzFindingsTests
{
    public sealed class Zone
    {
        public int X { get; set; }
    }

    public sealed class Sample
    {
        public List<Zone> Zones { get; set; } = [];

        public List<Zone?> Optional { get; set; } = [];

        public Zone Main { get; set; } = new();

        public Zone? Extra { get; set; }

        public string[] Names { get; set; } = [];
    }

    [Fact]
    public async Task NullWhereTheRequestTypeDeclaresNone_Is400NamingTheField_NotADeviceFault()
    {
        // Was a 500: MotionSettings' validator dereferences each zone ({"zones":[null]}) and the list ({"zones":null}).
        await using var camera = await InProcessCamera.StartAsync();
        using var admin = await camera.ClaimAsync();

        foreach (var (body, field) in new[] { ("""{"zones":[null]}""", "zones[0]"), ("""{"zones":null}""", "zones") })
        {
            using var response = await admin.Http.PutAsync(new Uri("/api/media/motion", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _), problem.RootElement.ToString());
        }
    }

    [Fact]
    public void DeclaredNulls_FindsNullsTheTypeForbids_AndOnlyThose()
    {
        var value = new Sample { Zones = [new Zone(), null!], Optional = [null], Main = null!, Extra = null, Names = ["a", null!] };

        var errors = DeclaredNulls.Find(value);

        Assert.Equal(["main", "names[1]", "zones[1]"], errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task RepeatedQueryParameter_IsRefused()
    {
        // A handler reads one value; which of two a binder picks must not decide what the device does.
        await using var camera = await InProcessCamera.StartAsync();
        using var admin = await camera.ClaimAsync();

        using var response = await admin.Http.GetAsync(new Uri("/api/security/events?limit=1&limit=500", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("urn:iris:problem:repeated-query-parameter", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
