using System.Text.Json;
using Iris.Camera.Tests.Support;
using Iris.Factory;
using Json.Schema;

namespace Iris.Camera.Tests.Factory;

/// <summary>
/// The release SBOM (issue 13, point 3): CycloneDX 1.6 JSON that validates against the vendored schema and names
/// every assembly and native library the camera build ships, the .NET runtime, and a root file system's Debian packages.
/// </summary>
public sealed class SbomTests
{
    private static readonly Lazy<JsonSchema> CycloneDx = new(LoadSchema);

    [Fact]
    public async Task TheCameraBuildsSbom_ValidatesAgainstCycloneDx16_AndNamesEveryShippedAssembly()
    {
        using var dir = new TempDirectory();
        var camera = dir.Combine("camera");
        CameraApplication.Copy(CameraApplication.BuildOutput, camera);

        var exit = await FactoryCli.RunAsync(["sbom", "--from", camera, "--version", "0.1.0", "--out", dir.Combine("sbom.json")], TextWriter.Null, TextWriter.Null);

        Assert.Equal(0, exit);
        using var sbom = JsonDocument.Parse(await File.ReadAllBytesAsync(dir.Combine("sbom.json")));
        AssertValid(sbom.RootElement);
        var components = sbom.RootElement.GetProperty("components").EnumerateArray().ToList();
        var located = components.Where(c => c.TryGetProperty("evidence", out _))
            .SelectMany(c => c.GetProperty("evidence").GetProperty("occurrences").EnumerateArray().Select(o => o.GetProperty("location").GetString()))
            .ToHashSet(StringComparer.Ordinal);
        var shipped = Directory.EnumerateFiles(camera, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(camera, f)).Where(f => f.EndsWith(".dll", StringComparison.Ordinal) || f.EndsWith(".so", StringComparison.Ordinal)).ToList();
        Assert.Contains("Iris.Camera.dll", shipped);
        Assert.Contains(shipped, f => f.EndsWith("libSkiaSharp.so", StringComparison.Ordinal));
        Assert.All(shipped, file => Assert.Contains(file, located));
        var purls = components.Where(c => c.TryGetProperty("purl", out _)).Select(c => c.GetProperty("purl").GetString()).ToList();
        Assert.Contains("pkg:nuget/SkiaSharp@3.119.4", purls);
        Assert.Contains("pkg:nuget/Microsoft.Data.Sqlite.Core@10.0.15", purls);
        var runtime = Assert.Single(components, c => c.GetProperty("name").GetString() == "Microsoft.NETCore.App");
        Assert.Equal("framework", runtime.GetProperty("type").GetString());
        Assert.StartsWith("cpe:2.3:a:microsoft:.net:10.", runtime.GetProperty("cpe").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARootFileSystem_ListsItsInstalledDebianPackages_WithPackageUrlsAndCpes()
    {
        using var dir = new TempDirectory();
        var root = dir.Combine("rootfs");
        Directory.CreateDirectory(Path.Combine(root, "var", "lib", "dpkg"));
        await File.WriteAllTextAsync(Path.Combine(root, "var", "lib", "dpkg", "status"), DpkgStatus);

        var exit = await FactoryCli.RunAsync(["sbom", "--from", root, "--version", "2.0.0", "--out", dir.Combine("sbom.json")], TextWriter.Null, TextWriter.Null);

        Assert.Equal(0, exit);
        using var sbom = JsonDocument.Parse(await File.ReadAllBytesAsync(dir.Combine("sbom.json")));
        AssertValid(sbom.RootElement);
        var components = sbom.RootElement.GetProperty("components").EnumerateArray()
            .ToDictionary(c => c.GetProperty("name").GetString()!, c => (Purl: c.GetProperty("purl").GetString(), Cpe: c.GetProperty("cpe").GetString()));
        Assert.Equal(["libssl3", "openssh-server", "zlib1g"], components.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(("pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64", "cpe:2.3:a:openssl:openssl:3.0.11:*:*:*:*:*:*:*"), components["libssl3"]);
        Assert.Equal(("pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1?arch=amd64", "cpe:2.3:a:zlib:zlib:1.2.13.dfsg:*:*:*:*:*:*:*"), components["zlib1g"]);
        Assert.Equal("cpe:2.3:a:openbsd:openssh:9.2p1:*:*:*:*:*:*:*", components["openssh-server"].Cpe);
    }

    [Fact]
    public async Task ASelfContainedRelease_ListsTheRuntimePackItCarries_WithTheDotnetCpe_AndTheSqliteItBundles()
    {
        using var dir = new TempDirectory();
        var release = dir.Combine("publish");
        Directory.CreateDirectory(Path.Combine(release, "runtimes", "linux-arm64", "native"));
        // What `dotnet publish -r linux-arm64 --self-contained` writes (trimmed to one asset per package).
        await File.WriteAllTextAsync(Path.Combine(release, "Iris.Camera.runtimeconfig.json"), """
            { "runtimeOptions": { "tfm": "net10.0", "includedFrameworks": [
              { "name": "Microsoft.NETCore.App", "version": "10.0.12" }, { "name": "Microsoft.AspNetCore.App", "version": "10.0.12" } ] } }
            """);
        await File.WriteAllTextAsync(Path.Combine(release, "Iris.Camera.deps.json"), """
            { "runtimeTarget": { "name": ".NETCoreApp,Version=v10.0/linux-arm64" },
              "targets": { ".NETCoreApp,Version=v10.0/linux-arm64": {
                "SQLitePCLRaw.lib.e_sqlite3/2.1.13": { "native": { "runtimes/linux-arm64/native/libe_sqlite3.so": { } } },
                "runtimepack.Microsoft.NETCore.App.Runtime.linux-arm64/10.0.12": { "runtime": { "System.Private.CoreLib.dll": { } } },
                "runtimepack.Microsoft.AspNetCore.App.Runtime.linux-arm64/10.0.12": { "runtime": { "Microsoft.AspNetCore.dll": { } } } } },
              "libraries": {
                "SQLitePCLRaw.lib.e_sqlite3/2.1.13": { "type": "package", "serviceable": true, "sha512": "" },
                "runtimepack.Microsoft.NETCore.App.Runtime.linux-arm64/10.0.12": { "type": "runtimepack", "serviceable": false, "sha512": "" },
                "runtimepack.Microsoft.AspNetCore.App.Runtime.linux-arm64/10.0.12": { "type": "runtimepack", "serviceable": false, "sha512": "" } } }
            """);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-arm64", "native", "libe_sqlite3.so"), Path.Combine(release, "libe_sqlite3.so"));
        await File.WriteAllBytesAsync(Path.Combine(release, "System.Private.CoreLib.dll"), [0x4D, 0x5A]);
        await File.WriteAllBytesAsync(Path.Combine(release, "Microsoft.AspNetCore.dll"), [0x4D, 0x5A]);

        var exit = await FactoryCli.RunAsync(["sbom", "--from", release, "--version", "0.1.0", "--out", dir.Combine("sbom.json")], TextWriter.Null, TextWriter.Null);

        Assert.Equal(0, exit);
        using var sbom = JsonDocument.Parse(await File.ReadAllBytesAsync(dir.Combine("sbom.json")));
        AssertValid(sbom.RootElement);
        var cpes = CpesByName(sbom.RootElement);
        Assert.Equal("cpe:2.3:a:microsoft:.net:10.0.12:*:*:*:*:*:*:*", cpes["runtimepack.Microsoft.NETCore.App.Runtime.linux-arm64"]);
        Assert.Equal("cpe:2.3:a:microsoft:asp.net_core:10.0.12:*:*:*:*:*:*:*", cpes["runtimepack.Microsoft.AspNetCore.App.Runtime.linux-arm64"]);
        Assert.Equal("cpe:2.3:a:microsoft:.net:10.0.12:*:*:*:*:*:*:*", cpes["Microsoft.NETCore.App"]);
        // SQLitePCLRaw.lib.e_sqlite3 2.1.13 is built from SQLite 3.53.3 (its release notes; the library says so too).
        Assert.Equal("cpe:2.3:a:sqlite:sqlite:3.53.3:*:*:*:*:*:*:*", cpes["sqlite"]);
    }

    [Fact]
    public async Task AFrameworkDependentRelease_RecordsTheNewestInstalledPatch_NotTheLowestVersionItAccepts()
    {
        using var dir = new TempDirectory();
        var camera = dir.Combine("camera");
        CameraApplication.Copy(CameraApplication.BuildOutput, camera);
        // The target's runtime: the host rolls 10.0.0 forward to the newest 10.0 patch, never to 10.1 or 11.
        foreach (var version in new[] { "10.0.3", "10.0.14", "10.1.0", "11.0.0" })
        {
            Directory.CreateDirectory(dir.Combine("dotnet", "shared", "Microsoft.NETCore.App", version));
            Directory.CreateDirectory(dir.Combine("dotnet", "shared", "Microsoft.AspNetCore.App", version));
        }

        var exit = await FactoryCli.RunAsync(
            ["sbom", "--from", camera, "--version", "0.1.0", "--out", dir.Combine("target.json"), "--dotnet-root", dir.Combine("dotnet")], TextWriter.Null, TextWriter.Null);
        var exitHere = await FactoryCli.RunAsync(["sbom", "--from", camera, "--version", "0.1.0", "--out", dir.Combine("here.json")], TextWriter.Null, TextWriter.Null);

        Assert.Equal(0, exit);
        Assert.Equal(0, exitHere);
        using var target = JsonDocument.Parse(await File.ReadAllBytesAsync(dir.Combine("target.json")));
        Assert.Equal("cpe:2.3:a:microsoft:.net:10.0.14:*:*:*:*:*:*:*", CpesByName(target.RootElement)["Microsoft.NETCore.App"]);
        Assert.Equal("cpe:2.3:a:microsoft:asp.net_core:10.0.14:*:*:*:*:*:*:*", CpesByName(target.RootElement)["Microsoft.AspNetCore.App"]);
        // Without --dotnet-root: the runtime this build machine runs (the test host runs on it too).
        using var here = JsonDocument.Parse(await File.ReadAllBytesAsync(dir.Combine("here.json")));
        Assert.Equal($"cpe:2.3:a:microsoft:.net:{Environment.Version}:*:*:*:*:*:*:*", CpesByName(here.RootElement)["Microsoft.NETCore.App"]);
        Assert.NotEqual("10.0.0", Environment.Version.ToString());
    }

    [Fact]
    public void TheVendoredSchema_RefusesWhatIsNotCycloneDx16()
    {
        using var wrongFormat = JsonDocument.Parse("""{ "bomFormat": "SPDX", "specVersion": "1.6" }""");
        using var badComponent = JsonDocument.Parse("""{ "bomFormat": "CycloneDX", "specVersion": "1.6", "components": [ { "type": "gadget", "name": "x" } ] }""");
        using var badLicense = JsonDocument.Parse("""{ "bomFormat": "CycloneDX", "specVersion": "1.6", "components": [ { "type": "library", "name": "x", "licenses": [ { "license": { "id": "NOT-A-LICENSE" } } ] } ] }""");

        Assert.False(CycloneDx.Value.Evaluate(wrongFormat.RootElement).IsValid);
        Assert.False(CycloneDx.Value.Evaluate(badComponent.RootElement).IsValid);
        Assert.False(CycloneDx.Value.Evaluate(badLicense.RootElement).IsValid);
    }

    public const string DpkgStatus = """
        Package: libssl3
        Status: install ok installed
        Architecture: amd64
        Source: openssl
        Version: 3.0.11-1~deb12u2
        Description: Secure Sockets Layer toolkit - shared libraries

        Package: telnetd
        Status: deinstall ok config-files
        Architecture: amd64
        Version: 0.17+2.4-2

        Package: zlib1g
        Status: install ok installed
        Architecture: amd64
        Source: zlib
        Version: 1:1.2.13.dfsg-1
        Description: compression library - runtime
         continued description line

        Package: openssh-server
        Status: install ok installed
        Architecture: amd64
        Source: openssh
        Version: 1:9.2p1-2+deb12u3

        """;

    private static Dictionary<string, string?> CpesByName(JsonElement sbom) =>
        sbom.GetProperty("components").EnumerateArray()
            .GroupBy(c => c.GetProperty("name").GetString()!)
            .ToDictionary(g => g.Key, g => g.Select(c => c.TryGetProperty("cpe", out var cpe) ? cpe.GetString() : null).FirstOrDefault(c => c is not null));

    private static void AssertValid(JsonElement sbom)
    {
        var result = CycloneDx.Value.Evaluate(sbom, new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(result.IsValid, string.Join("\n", (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .Select(d => $"{d.InstanceLocation}: {string.Join("; ", d.Errors!.Values)}")));
    }

    private static JsonSchema LoadSchema()
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "Factory", "Schemas");
        var options = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        JsonSchema.FromFile(Path.Combine(directory, "spdx.schema.json"), options);
        JsonSchema.FromFile(Path.Combine(directory, "jsf-0.82.schema.json"), options);
        return JsonSchema.FromFile(Path.Combine(directory, "bom-1.6.schema.json"), options);
    }
}
