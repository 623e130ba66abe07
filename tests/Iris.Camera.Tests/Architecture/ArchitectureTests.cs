using System.Net;
using Iris.Camera.Accounts;
using Iris.Camera.Tests.Support;
using Iris.Camera.Tests.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Architecture;

/// <summary>
/// The module rules of docs/architecture.md, checked on the real daemon, and each check shown to catch a planted
/// violation: no dependency cycle between capabilities, dependencies only in the documented direction, every
/// endpoint declares its permission, and SQL on a table only in the folder that owns it.
/// </summary>
public sealed class ArchitectureTests
{
    private const string FixtureRoot = "Iris.Camera.Tests.Architecture.Fixture";

    private static readonly Lazy<IReadOnlySet<(string From, string To)>> DaemonEdges =
        new(() => ModuleGraph.Edges(typeof(CameraApp).Assembly.Location, "Iris.Camera"));

    [Fact]
    public void Capabilities_HaveNoDependencyCycle()
    {
        Assert.NotEmpty(DaemonEdges.Value);
        var cycles = ModuleGraph.Cycles(DaemonEdges.Value);
        Assert.True(cycles.Count == 0, "cycles: " + string.Join("; ", cycles.Select(c => string.Join(" -> ", c))));
    }

    [Fact]
    public void Capabilities_DependOnlyInTheDocumentedDirection()
    {
        var map = ModuleMap.Read(Path.Combine(ServiceManifestTests.RepositoryRoot(), "docs", "architecture.md"));
        Assert.Empty(map.Problems());
        var undocumented = DaemonEdges.Value.Where(e => !map.Allows(e.From, e.To)).Select(e => $"{e.From} -> {e.To}").Order().ToList();
        Assert.True(undocumented.Count == 0, "not in docs/architecture.md: " + string.Join(", ", undocumented));
    }

    [Fact]
    public void DependencyRules_CatchAPlantedCycleAndAnUndocumentedEdge()
    {
        // The fixture below: Low uses High (also through a lambda) and High uses Low.
        var edges = ModuleGraph.Edges(typeof(ArchitectureTests).Assembly.Location, FixtureRoot);
        Assert.Contains(("Low", "High"), edges);
        Assert.Contains(("High", "Low"), edges);
        Assert.Contains(("Lambda", "High"), edges);
        Assert.NotEmpty(ModuleGraph.Cycles(edges));

        var map = ModuleMap.Parse("""
            | module | layer | owns | may use |
            |---|---|---|---|
            | Low | foundation | x | — |
            | High | feature | y | Low |
            """);
        Assert.Empty(map.Problems());
        Assert.True(map.Allows("High", "Low"));
        Assert.False(map.Allows("Low", "High"));

        var upward = ModuleMap.Parse("""
            | module | layer | owns | may use |
            |---|---|---|---|
            | Low | foundation | x | High |
            | High | feature | y | Low |
            """);
        Assert.Contains(upward.Problems(), p => p.Contains("Low may not use High", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EveryMappedEndpoint_DeclaresAPermission()
    {
        using var data = new TempDirectory();
        await using var app = InProcessCamera.BuildWithDefaults(data.Path);
        var table = app.Services.GetRequiredService<PermissionTable>();
        Assert.Empty(table.Undeclared);
        Assert.Equal(app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().Count(), table.Entries.Count);
    }

    [Fact]
    public async Task AnEndpointWithoutAPermission_IsListed_AndRefusedToEveryone()
    {
        // A real camera with one extra endpoint mapped the way a forgetful module would: no permission.
        await using var camera = await InProcessCamera.StartAsync(beforeStart: app => app.MapGet("/api/planted", () => "should never be served"));
        var table = camera.App.Services.GetRequiredService<PermissionTable>();
        Assert.Equal(["GET /api/planted"], table.Undeclared);

        using var anonymous = await camera.Client.GetAsync(new Uri("/api/planted", UriKind.Relative));
        using var owner = await camera.ClaimAsync();
        using var administrator = await owner.Http.GetAsync(new Uri("/api/planted", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Forbidden, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, administrator.StatusCode);
        Assert.Contains("no-permission-entry", await administrator.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public void Sql_NamesATableOnlyInTheFolderThatOwnsIt()
    {
        var sources = SqlOwnership.DaemonSources(ServiceManifestTests.RepositoryRoot());
        var owners = SqlOwnership.Owners(sources);
        Assert.Equal("Accounts", owners["accounts"]);
        Assert.Equal("Storage", owners["settings"]);
        var violations = SqlOwnership.Violations(sources);
        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    [Fact]
    public void SqlOwnership_CatchesAPlantedCrossModuleQuery()
    {
        var planted = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Accounts/AccountsSchema.cs"] = "\"CREATE TABLE accounts (id INTEGER PRIMARY KEY) STRICT;\"",
            ["Accounts/AccountStore.cs"] = "\"SELECT id FROM accounts WHERE id = $id;\"",
            ["Privacy/Eraser.cs"] = "\"DELETE FROM accounts WHERE id != $keep;\"",
        };
        Assert.Equal(["Privacy/Eraser.cs: accounts (owned by Accounts)"], SqlOwnership.Violations(planted));
    }
}
